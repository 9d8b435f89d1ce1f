import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GPT } from '@/lib/gpt/forward';
import { disposeWeights } from '@/lib/gpt/params';
import { AbortedError, budgetSweep, policyAt, policyLoss, stepWithPolicy, sweepSteps } from '@/lib/lessons/keep-less';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);
let model: GPT;
beforeAll(() => {
  model = tinyModel({ blockSize: 48 }, 3, 2);
});
afterAll(() => disposeWeights(model.weights));

const text = 'It is a truth universally acknowledged, that a single man';

describe('keep less: policies at a budget', () => {
  it('policyAt spells the three policies at one budget, and rejects a budget too small for the sinks', () => {
    expect(policyAt('window', 16)).toEqual({ type: 'window', window: 16 });
    expect(policyAt('sinks', 16)).toEqual({ type: 'sinks', sinks: 4, window: 12 });
    expect(policyAt('h2o', 16)).toEqual({ type: 'h2o', budget: 16, recent: 8 });
    expect(() => policyAt('window', 3)).toThrow(RangeError);
  });

  it('stepping with a window of 8 keeps the last 8 positions and records each eviction with its step; no tensor survives', async () => {
    const before = tf.memory().numTensors;
    const steps = [];
    for await (const s of stepWithPolicy(model, bytes, bytes.encode('abcdef'), policyAt('window', 8), 6)) steps.push(s);
    expect(steps).toHaveLength(6);
    const last = steps[5];
    // 6 prompt + 6 fed back (the last generated token is not fed): positions 0..10 seen, 8 kept
    expect(last.layers[0].kept).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(last.layers[0].attention.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(last.layers[0].attended).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(last.evictions.filter((e) => e.layer === 0)).toEqual([{ position: 2, step: 5, layer: 0 }]);
    expect(steps[2].evictions).toEqual([]); // 8 rows: nothing to drop yet
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a budget as large as the passage gives exactly the full cache loss; a small window gives a different one', async () => {
    const ids = bytes.encode(text).slice(0, 40);
    const full = await policyLoss(model, ids, null);
    const roomy = await policyLoss(model, ids, policyAt('window', 48));
    const tight = await policyLoss(model, ids, policyAt('window', 8));
    expect(roomy.nats).toBe(full.nats);
    expect(tight.nats).not.toBeCloseTo(full.nats, 3);
    expect(tight.peakRows).toBe(9); // 8 kept + the new row, before the policy runs
  });

  it('the sweep returns the full reference then every policy at every budget, without leaking; cancel stops it', async () => {
    const before = tf.memory().numTensors;
    const input = { kinds: ['window', 'sinks', 'h2o'] as const, budgets: [8, 16], tokens: 24 };
    let steps = 0;
    const points = await budgetSweep(model, bytes, text, input, { onStep: () => steps++ });
    expect(steps).toBe(sweepSteps(input));
    expect(points.map((p) => p.policy)).toEqual([
      'full',
      'window:8',
      'window:16',
      'sinks:4+window:4',
      'sinks:4+window:12',
      'h2o:8',
      'h2o:16',
    ]);
    for (const p of points) expect(Number.isFinite(p.lossPerChar) && p.lossPerChar > 0).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const ac = new AbortController();
    let n = 0;
    await expect(budgetSweep(model, bytes, text, input, { signal: ac.signal, onStep: () => ++n === 5 && ac.abort() })).rejects.toThrow(
      AbortedError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
