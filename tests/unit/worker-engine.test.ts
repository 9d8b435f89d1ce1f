import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createEngine } from '@/lib/worker/engine';
import { createClient, localTransport } from '@/lib/worker/client';
import type { RaceProgress } from '@/lib/lessons/measure';
import type { Tokenizer } from '@/lib/gpt';
import { summarizeRace } from '@/lib/lessons/race';
import { SIZE_PRESETS } from '@/lib/lessons/sizes';
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
    const started = await client.call('genStart', {
      model: 'tiny',
      prompt: 'Emma',
      mode: 'cached',
      options: { maxNewTokens: 5, sampling: {} },
    });
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
    await expect(
      client.call('genStart', { model: 'tiny', prompt: '', mode: 'cached', options: { maxNewTokens: 2, sampling: {} } }),
    ).rejects.toMatchObject({
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

  it('steps a cache policy by id, evicting down to the budget, and frees the generator on policyReturn', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const { gen } = await client.call('policyStart', {
      model: 'tiny',
      ids: bytes.encode('Mr. Darcy'),
      policy: { type: 'window', window: 6 },
      maxNew: 6,
    });
    const first = await client.call('policyNext', { gen });
    const second = await client.call('policyNext', { gen });
    expect(second!.step).toBe(first!.step + 1);
    expect(second?.layers[0].kept).toHaveLength(6); // 10 positions seen, the newest 6 kept
    expect(second?.evictions.length).toBeGreaterThan(0);
    await client.call('policyReturn', { gen });
    await client.call('policyReturn', { gen }); // twice is safe
    expect(tf.memory().numTensors).toBe(before);
    await expect(client.call('policyNext', { gen })).rejects.toThrow(/already closed/);
  });

  it('runs the budget sweep with sinks, progress and points, and stops it between steps', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const seen: { sinks?: unknown; done?: number; point?: { budget: number } }[] = [];
    const input = { tokens: 12, budgets: [6, 8], kinds: ['window' as const] };
    const points = await client.call(
      'budgetSweep',
      { model: 'tiny', text: 'It is a truth universally acknowledged', input },
      { onProgress: (p) => seen.push(p as (typeof seen)[number]) },
    );
    expect(points.map((p) => p.budget)).toEqual([11, 6, 8]); // the full cache first, then each budget
    expect(seen[0].sinks).toBeDefined();
    expect(seen.filter((p) => p.point)).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);

    const controller = new AbortController();
    const stopped = client.call(
      'budgetSweep',
      { model: 'tiny', text: 'It is a truth universally acknowledged', input },
      {
        signal: controller.signal,
        onProgress: (p) => (p as { point?: unknown }).point && controller.abort(),
      },
    );
    await expect(stopped).rejects.toMatchObject({ name: 'AbortedError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('serves sessions on a block pool there: admit, step, refuse when full, and free it all on dispose', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const { server } = await client.call('serverCreate', { model: 'tiny', numBlocks: 4 });
    const view = await client.call('serverAdmit', { server, prompt: 'Emma', tokens: 3, usePrefix: false });
    expect(view.sessions).toHaveLength(1);
    const stepped = await client.call('serverStep', { server });
    expect(stepped.advanced).toBe(1);
    expect(stepped.view.sessions[0].generated).toBe(2);
    // 4 blocks of 16: a 60-token prompt needs 4 more while the first session holds one.
    await expect(client.call('serverAdmit', { server, prompt: 'x'.repeat(60), tokens: 3, usePrefix: false })).rejects.toMatchObject({
      name: 'OutOfBlocksError',
    });
    await client.call('serverDispose', { server });
    expect(tf.memory().numTensors).toBe(before);
    await expect(client.call('serverStep', { server })).rejects.toThrow(/reset/);
  });

  it('compares shared-prefix serving with unshared and leaves no tensor', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const r = await client.call('comparePrefix', { model: 'tiny', system: 'You are Miss Bates. ', asks: ['Tea?', 'Cake?'], tokens: 2 });
    expect(r.rows).toHaveLength(2);
    expect(r.sharedBlocks).toBeLessThanOrEqual(r.plainBlocks);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('timing models for the race, on the model thread', () => {
  it("draws the 10m model with the loaded model's tokenizer, reuses it, races on it, and frees every tensor on release", async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const made = await client.call('timingModel', { size: '10m', tokenizerOf: 'tiny' });
    expect(made).toEqual({ key: 'timing:10m', config: SIZE_PRESETS['10m'].config });
    const held = tf.memory().numTensors;
    expect(held).toBeGreaterThan(before);
    // A second ask (another click, another cell) gets the same copy: nothing new is drawn.
    expect(await client.call('timingModel', { size: '10m', tokenizerOf: 'tiny' })).toEqual(made);
    expect(tf.memory().numTensors).toBe(held);

    const race = await client.call('race', { model: made.key, ids: bytes.encode('Emma'), tokens: 3, repeats: 1, seed: 1, warmup: false });
    expect(race.runs.naive[0].ids).toHaveLength(3);
    expect(summarizeRace(race.runs).tokensMatch).toBe(true);
    expect(tf.memory().numTensors).toBe(held);

    await client.call('timingRelease', { size: '10m' });
    expect(tf.memory().numTensors).toBe(before);
    await client.call('timingRelease', { size: '10m' }); // twice is harmless
    await expect(client.call('race', { model: made.key, ids: [1, 2], tokens: 2, repeats: 1, seed: 1, warmup: false })).rejects.toThrow(
      /not loaded/,
    );
  }, 60_000);

  it('refuses a size the memory budget cannot hold before allocating anything: a ModelMemoryError with both figures', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    // deviceMemory 1/16 GB: half of it, 32 MiB, is the budget; the 10m model needs far more.
    await expect(client.call('timingModel', { size: '10m', tokenizerOf: 'tiny', deviceMemory: 1 / 16 })).rejects.toMatchObject({
      name: 'ModelMemoryError',
      message: expect.stringMatching(/needs about \d+ MiB but this browser .* offers 32 MiB — choose a smaller size/),
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a tokenizer whose ids the timing model has no embedding rows for', async () => {
    const { engine, client } = setup();
    engine.register('wide', tinyModel(), { vocabSize: 1000 } as Tokenizer);
    const before = tf.memory().numTensors;
    await expect(client.call('timingModel', { size: '10m', tokenizerOf: 'wide' })).rejects.toThrow(
      /768 token ids but the tokenizer makes 1000/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('estimates a race from a short probe at the first and last positions, leaving no tensor', async () => {
    const { client } = setup();
    const before = tf.memory().numTensors;
    const e = await client.call('raceEstimate', { model: 'tiny', promptLength: 5, tokens: 20, repeats: 2, warmup: true });
    expect(e.positions).toEqual([6, 25]);
    expect(e.estimateMs).toBeGreaterThan(0);
    expect(Number.isFinite(e.probe.naive.slope) && Number.isFinite(e.probe.cached.intercept)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
