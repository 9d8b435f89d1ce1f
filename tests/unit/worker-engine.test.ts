import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createEngine } from '@/lib/worker/engine';
import { createClient, localTransport } from '@/lib/worker/client';
import type { RaceProgress } from '@/lib/lessons/measure';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

/** The page's client over the engine in this process: the same messages as through the worker. */
function setup() {
  const engine = createEngine(() => undefined);
  const client = createClient(localTransport(engine));
  engine.register('tiny', tinyModel(), bytes);
  return { engine, client };
}

describe('the model thread (engine behind the message protocol)', () => {
  it('steps a cached generator by id, returns plain records and cache arrays, and frees it on genReturn', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const started = await client.call('genStart', { model: 'tiny', prompt: 'Emma', mode: 'cached', options: { maxNewTokens: 5, sampling: {} } });
    expect(started.ids).toEqual(bytes.encode('Emma'));
    const first = await client.call('genNext', { gen: started.gen, readCache: true });
    expect(first?.record.processed).toBe(4);
    expect(first?.record).not.toHaveProperty('cache');
    expect(first?.cache?.[0].k[0]).toHaveLength(4); // [nKvHead][T][hs] as plain arrays
    expect(tf.memory().numTensors).toBeGreaterThan(before); // the cache lives on the model thread
    await client.call('genReturn', { gen: started.gen });
    expect(tf.memory().numTensors).toBe(before);
    expect((await client.call('memory', undefined)).generators).toBe(0);
  });

  it('keeps an error its name across the wall (an empty prompt is an EmptyPromptError)', async () => {
    const { client } = setup();
    await expect(client.call('genStart', { model: 'tiny', prompt: '', mode: 'cached', options: { maxNewTokens: 2, sampling: {} } })).rejects.toMatchObject({
      name: 'EmptyPromptError',
    });
    await expect(client.call('trace', { model: 'nope', ids: [1] })).rejects.toThrow(/not loaded/);
  });

  it('stops a race at the next step when the page aborts, with progress on the way and no tensor left', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: RaceProgress[] = [];
    const race = client.call(
      'race',
      { model: 'tiny', ids: bytes.encode('Pride'), tokens: 40, repeats: 2, seed: 1, warmup: false },
      {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p as RaceProgress);
          if (seen.length === 3) controller.abort();
        },
      },
    );
    await expect(race).rejects.toMatchObject({ name: 'AbortedError' });
    // The abort arrived between steps: at most one more step ran after the third report.
    expect(seen.length).toBeLessThanOrEqual(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures a prefill of a given length there, cut from the lesson passage', async () => {
    const { client } = setup();
    const t = await client.call('prefill', { model: 'tiny', length: 12, decodeSteps: 3 });
    expect(t.promptLength).toBe(12);
    expect(t.decodeMs).toHaveLength(3);
  });
});
