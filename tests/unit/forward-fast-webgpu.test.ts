/**
 * The fused WebGPU decode attention against the readable forward(), in Node through Dawn. Runs where a
 * WebGPU adapter exists (here: lavapipe from Mesa ≥ 23, see lib/cli/node-webgpu.ts) and says why it
 * skipped elsewhere; the e2e spec tests/e2e/bench.spec.ts checks the same on SwiftShader in Chromium.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installNodeWebGPU } from '../../lib/cli/node-webgpu';
import { forward } from '../../lib/gpt/forward';
import { forwardFast } from '../../lib/gpt/fast/forward-fast';
import { disposeFastModel, prepareFastModel } from '../../lib/gpt/fast/prepare';
import { disposeCache, emptyCache } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import { DECODE_ATTENTION } from '../../lib/gpt/fast/webgpu-attention';
import { LAYER_NORM } from '../../lib/gpt/fast/webgpu-layernorm';
import { maxAbsDiff, tinyModel } from './gpt-helpers';

const ready = await installNodeWebGPU()
  .then(async () => (await tf.setBackend('webgpu')) && (await tf.ready(), true))
  .catch((e: Error) => {
    console.warn(`WebGPU equality test skipped: ${e.message}`);
    return false;
  });

describe.skipIf(!ready)('fast forward on WebGPU (Dawn in Node)', () => {
  for (const nKvHead of [4, 2, 1]) {
    it(`nKvHead ${nKvHead}: fused decode attention and LayerNorm, and the last-row naive pass, give the reference logits`, async () => {
      const model = tinyModel({ nKvHead }, 5, 4);
      const fm = prepareFastModel(model);
      const before = tf.memory().numTensors;
      const ids = Array.from({ length: 30 }, (_, i) => (i * 2654435761) % 256);
      const prompt = tf.tensor2d([ids.slice(0, 29)], [1, 29], 'int32');
      const base = forward(model, prompt, emptyCache(model.config), { logits: 'last' });
      const one = tf.tensor2d([[ids[29]]], [1, 1], 'int32');
      const full = tf.tensor2d([ids], [1, 30], 'int32');
      const pairs = [
        [forward(model, one, base.cache, { logits: 'last' }), forwardFast(fm, one, base.cache, { logits: 'last' })],
        [forward(model, full, null, { logits: 'last' }), forwardFast(fm, full, null, { logits: 'last' })],
      ];
      for (const [r, f] of pairs) {
        expect(maxAbsDiff(await f.logits.data(), await r.logits.data())).toBeLessThanOrEqual(1e-4);
        tf.dispose([r.logits, f.logits]);
        disposeCache(r.cache);
        disposeCache(f.cache);
      }
      // The fused kernels ran, not the op-by-op fallbacks.
      expect(tf.getKernel(DECODE_ATTENTION, 'webgpu')).toBeDefined();
      expect(tf.getKernel(LAYER_NORM, 'webgpu')).toBeDefined();
      tf.dispose([prompt, one, full, base.logits]);
      disposeCache(base.cache);
      expect(tf.memory().numTensors).toBe(before);
      disposeFastModel(fm);
      disposeWeights(model.weights);
    });
  }
});
