import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../lib/gpt/forward';
import { disposeWeights } from '../../lib/gpt/params';
import { disposeCache, emptyCache } from '../../lib/gpt';
import { referenceForward, type RefWeights } from './helpers/reference';
import { maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

describe('float64 reference forward', () => {
  for (const [label, nKvHead] of [
    ['MHA', 4],
    ['GQA nHead/2', 2],
    ['MQA', 1],
  ] as const) {
    it(`matches the tfjs logits within 1e-4 for ${label} (nKvHead ${nKvHead})`, async () => {
      // init ×5: logits of a few units, far from uniform, so a wrong head mapping would show
      const model = tinyModel({ nKvHead, nHead: 4, nEmbd: 32, blockSize: 24 }, 5, 5);
      const ids = [3, 200, 17, 17, 90, 1, 255, 42, 8, 130, 64];
      const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
      const out = forward(model, idx, null);
      const got = (await out.logits.array())[0];
      const w: RefWeights = {};
      for (const [n, t] of Object.entries(model.weights)) w[n] = (await t.data()) as Float32Array;
      const want = referenceForward(model.config, w, ids);
      let scale = 0;
      for (let t = 0; t < ids.length; t++) {
        for (const v of want[t]) scale = Math.max(scale, Math.abs(v));
        expect(maxAbsDiff(got[t], want[t])).toBeLessThan(1e-4);
      }
      expect(scale).toBeGreaterThan(1); // the check compares non-trivial logits
      idx.dispose();
      out.logits.dispose();
      disposeWeights(model.weights);
    });
  }

  it('GQA with nHead/4 (nHead 8, nKvHead 2) matches too', async () => {
    const model = tinyModel({ nKvHead: 2, nHead: 8, nEmbd: 32, blockSize: 16 }, 9, 5);
    const ids = [5, 6, 7, 250, 0, 99];
    const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
    const out = forward(model, idx, null);
    const got = (await out.logits.array())[0];
    const w: RefWeights = {};
    for (const [n, t] of Object.entries(model.weights)) w[n] = (await t.data()) as Float32Array;
    const want = referenceForward(model.config, w, ids);
    for (let t = 0; t < ids.length; t++) expect(maxAbsDiff(got[t], want[t])).toBeLessThan(1e-4);
    tf.dispose([idx, out.logits]);
    disposeWeights(model.weights);
  });
});

describe('the float64 reference on wasm, where attention is one batched matMul', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });
  afterAll(useCpu);

  for (const nKvHead of [4, 2]) {
    it(`nKvHead ${nKvHead}: whole-sequence logits and a cached last step both match within 1e-4`, async () => {
      const before = tf.memory().numTensors;
      const model = tinyModel({ nKvHead, nHead: 4, nEmbd: 32, blockSize: 24 }, 7, 5);
      const ids = [3, 200, 17, 17, 90, 1, 255, 42, 8, 130, 64];
      const w: RefWeights = {};
      for (const [n, t] of Object.entries(model.weights)) w[n] = (await t.data()) as Float32Array;
      const want = referenceForward(model.config, w, ids);

      const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
      const out = forward(model, idx, null);
      const got = (await out.logits.array())[0];
      for (let t = 0; t < ids.length; t++) expect(maxAbsDiff(got[t], want[t])).toBeLessThan(1e-4);

      const head = tf.tensor2d([ids.slice(0, -1)], [1, ids.length - 1], 'int32');
      const prefill = forward(model, head, emptyCache(model.config), { logits: 'last' });
      const last = tf.tensor2d([ids.slice(-1)], [1, 1], 'int32');
      const step = forward(model, last, prefill.cache, { logits: 'last' });
      expect(maxAbsDiff((await step.logits.data()) as Float32Array, want[ids.length - 1])).toBeLessThan(1e-4);

      tf.dispose([idx, out.logits, head, prefill.logits, last, step.logits]);
      disposeCache(prefill.cache);
      disposeCache(step.cache);
      disposeWeights(model.weights);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
