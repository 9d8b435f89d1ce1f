import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeWeights } from '../../lib/gpt/params';
import { traceForward } from '../../lib/gpt/trace';
import { compareChunkedPrefill, measurePrefill, runRace, sweepLengths } from '../../lib/lessons/measure';
import { headStep, kvHeadFor, weightedSum, dot, formatValue } from '../../lib/lessons/qkv';
import { summarizeRace } from '../../lib/lessons/race';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

const model = tinyModel();
const gqa = tinyModel({ nKvHead: 2 }, 2);
const ids = bytes.encode('It is a truth universally acknowledged, that a single man');

beforeAll(useCpu);
afterAll(() => {
  disposeWeights(model.weights);
  disposeWeights(gqa.weights);
});

describe('race measurement', () => {
  it('warm-up is kept apart, both generators pick the same tokens, and no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const phases = new Set<string>();
    const result = await runRace(model, bytes, ids.slice(0, 8), {
      tokens: 5,
      seed: 3,
      repeats: 2,
      warmup: true,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect([...phases].sort()).toEqual(['cached', 'naive', 'warmup']);
    expect(result.warmup?.naive.ms).toHaveLength(5);
    expect(result.runs.naive).toHaveLength(2);
    expect(result.runs.cached[1].ms).toHaveLength(5);
    expect(summarizeRace(result.runs).tokensMatch).toBe(true);
  });
});

describe('prefill measurement', () => {
  it('splits time to first token into forward and readback and times each decode step', async () => {
    const before = tf.memory().numTensors;
    const t = await measurePrefill(model, ids.slice(0, 20), 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.promptLength).toBe(20);
    expect(t.ttftMs).toBeCloseTo(t.forwardMs + t.readbackMs, 9);
    expect(t.decodeMs).toHaveLength(3);
  });

  it('chunked prefill gives the same next-token logits as one pass', async () => {
    const before = tf.memory().numTensors;
    const c = await compareChunkedPrefill(model, ids.slice(0, 40), 16);
    expect(tf.memory().numTensors).toBe(before);
    expect(c.chunks).toBe(3);
    expect(c.maxAbsDiff).toBeLessThan(1e-3);
    expect(c.chunkedNext).toBe(c.onePassNext);
  });

  it('sweep lengths leave room for the decode steps', () => {
    expect(sweepLengths(256, 8, 1000)).toEqual([4, 16, 32, 64, 128, 192, 248]);
    expect(sweepLengths(256, 8, 50)).toEqual([4, 16, 32]);
  });
});

describe('one head, stage by stage', () => {
  it('GQA maps query heads onto key/value heads by floor(h / group)', () => {
    expect([0, 1, 2, 3].map((h) => kvHeadFor(h, 4, 1))).toEqual([0, 0, 0, 0]);
    expect([0, 1, 2, 3].map((h) => kvHeadFor(h, 4, 2))).toEqual([0, 0, 1, 1]);
    expect([0, 1, 2, 3].map((h) => kvHeadFor(h, 4, 4))).toEqual([0, 1, 2, 3]);
  });

  it('the stages agree with each other: scores = q·k, scaled = scores/√hs, masked future, weights sum to 1', async () => {
    const trace = await traceForward(gqa, ids.slice(0, 6));
    const s = headStep(trace[1], 3, 2, gqa.config.nHead);
    const hs = gqa.config.nEmbd / gqa.config.nHead;
    expect(s.kvHead).toBe(1);
    expect(s.k).toHaveLength(3);
    expect(s.scores[1]).toBeCloseTo(dot(s.q, s.k[1]), 3);
    expect(s.scaled[1]).toBeCloseTo(s.scores[1] / Math.sqrt(hs), 4);
    expect(s.masked.slice(3)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(s.output).toHaveLength(hs);
  });

  it('weightedSum and the number format', () => {
    expect(
      weightedSum(
        [0.5, 0.5, 0],
        [
          [2, 0],
          [0, 4],
          [9, 9],
        ],
      ),
    ).toEqual([1, 2]);
    expect(formatValue(-Infinity)).toBe('−∞');
    expect(formatValue(-0.001)).toBe('0.00');
    expect(formatValue(-1.5, 1)).toBe('−1.5');
  });
});
