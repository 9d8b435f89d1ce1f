import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../../lib/gpt/node-io';
import { disposeWeights } from '../../lib/gpt/params';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'kvlab-cli-'));
  const model = tinyModel({ nLayer: 1, nHead: 2, nKvHead: 1, nEmbd: 16, blockSize: 32 }, 2);
  await saveModelDir(join(dir, 'm'), model, bytes.toJSON());
  disposeWeights(model.weights);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const kvlab = (...args: string[]) => spawnSync('node', ['bin/kvlab.js', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('kvlab CLI', () => {
  it('generate --json gives the documented fields, and naive agrees with cached', () => {
    const run = (mode: string) =>
      kvlab('generate', '--model', join(dir, 'm'), '--prompt', 'Hi', '--tokens', '4', '--mode', mode, '--json', '--logits');
    const r = run('cached');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'cached', promptTokens: 2, stopReason: 'maxTokens' });
    expect(out.promptIds).toEqual([...Buffer.from('Hi')]); // the test model's tokenizer is bytes
    expect(out.tokens).toHaveLength(4);
    expect(typeof out.text).toBe('string');
    expect(out.steps.map((s: { processed: number }) => s.processed)).toEqual([2, 1, 1, 1]);
    expect(out.steps.map((s: { cacheLength: number }) => s.cacheLength)).toEqual([2, 3, 4, 5]);
    expect(out.steps[0].cacheBytes).toBe(2 * 1 * 1 * 8 * 2 * 4);
    expect(out.steps[0].logits).toHaveLength(256);
    expect(out.steps[0].ms).toBeGreaterThan(0);
    expect(JSON.parse(run('naive').stdout).tokens).toEqual(out.tokens);
  });

  for (const [why, args, message] of [
    ['an unknown flag', ['generate', '--bogus'], /Unknown option '--bogus'/],
    ['a bad number', ['generate', '--model', 'x', '--prompt', 'a', '--tokens', 'ten'], /--tokens must be an integer ≥ 1, got "ten"/],
    ['a bad mode', ['generate', '--prompt', 'a', '--mode', 'fast'], /--mode must be cached or naive/],
    [
      'a missing model',
      ['generate', '--model', 'no-such-model', '--prompt', 'a'],
      /no model "no-such-model" at public\/models\/no-such-model\//,
    ],
    ['an unknown command', ['fly'], /unknown command "fly"/],
  ] as const) {
    it(`exits 2 with one line for ${why}`, () => {
      const r = kvlab(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('exits 2 with one line for an empty prompt', () => {
    const r = kvlab('generate', '--model', join(dir, 'm'), '--prompt', '');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('kvlab: The prompt is empty: type some text for the model to continue.');
  });
});
