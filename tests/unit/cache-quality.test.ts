import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { textLoss } from '../../lib/gpt/evaluate';
import { fullCache } from '../../lib/gpt/kvcache';
import { latentCache } from '../../lib/gpt/kvcache-latent';
import { quantizedCache } from '../../lib/gpt/kvcache-quantized';
import { disposeWeights } from '../../lib/gpt/params';
import { kindTextLoss, measureKind } from '@/lib/lessons/cache-quality';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);
const TEXT = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
// 2 layers, 4 heads of hs 8: a float row pair is 2 · 4 · 8 · 4 = 256 bytes per layer.
const config = { nLayer: 2, nHead: 4, nKvHead: 4, nEmbd: 32, blockSize: 64 };

describe('cache quality measures', () => {
  it("the float cache against itself: zero logit difference, textLoss's loss, no divergence, 512 bytes per position", async () => {
    const model = tinyModel(config, 5, 1);
    const before = tf.memory().numTensors;
    const m = await measureKind(model, bytes, TEXT, fullCache, { prefill: 32, compareSteps: 8, generate: 12 });
    expect(tf.memory().numTensors).toBe(before);
    expect(m.maxAbsLogitDiff).toBe(0);
    expect(m.firstDivergence).toBeNull();
    expect(m.bytesPerToken).toBe(512);
    expect(m.bytesAt).toBe(40);
    expect(m.lossPerChar).toBeCloseTo((await textLoss(model, bytes, TEXT)).lossPerChar, 5);
    disposeWeights(model.weights);
  });

  it('int8 KIVI: smaller, logits close; int4 per-token: smaller still, further off; no tensors left', async () => {
    const model = tinyModel(config, 5, 1);
    const before = tf.memory().numTensors;
    const opts = { prefill: 32, compareSteps: 8, generate: 12 };
    const q8 = await measureKind(model, bytes, TEXT, quantizedCache({ bits: 8, scheme: 'kivi', groupSize: 8 }), opts);
    const q4 = await measureKind(model, bytes, TEXT, quantizedCache({ bits: 4, scheme: 'token', groupSize: 8 }), opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(q8.bytesPerToken).toBeLessThan(512);
    expect(q4.bytesPerToken).toBeLessThan(q8.bytesPerToken);
    expect(q8.maxAbsLogitDiff).toBeGreaterThan(0);
    expect(q8.maxAbsLogitDiff).toBeLessThan(0.1);
    expect(q4.maxAbsLogitDiff).toBeGreaterThan(q8.maxAbsLogitDiff);
    expect(Number.isFinite(q4.lossPerChar)).toBe(true);
    disposeWeights(model.weights);
  });

  it('a latent cache of full rank loses nothing; a low rank costs loss', async () => {
    const model = tinyModel(config, 5, 1);
    const full = await kindTextLoss(model, bytes, TEXT, fullCache);
    const r32 = await kindTextLoss(model, bytes, TEXT, await latentCache(model, 32));
    const r1 = await kindTextLoss(model, bytes, TEXT, await latentCache(model, 1));
    expect(r32.lossPerChar).toBeCloseTo(full.lossPerChar, 3);
    // A random tiny model barely uses its keys: the change is small but real.
    expect(Math.abs(r1.lossPerChar - full.lossPerChar)).toBeGreaterThan(1e-4);
    disposeWeights(model.weights);
  });
});
