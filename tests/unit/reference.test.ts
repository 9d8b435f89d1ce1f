import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../lib/gpt/forward';
import { disposeWeights } from '../../lib/gpt/params';
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
