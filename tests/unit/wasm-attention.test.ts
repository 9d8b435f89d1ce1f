import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECODE_APPEND_WASM } from '../../lib/gpt/fast/decode-append-wasm';
import { forwardFast } from '../../lib/gpt/fast/forward-fast';
import { disposeFastModel, prepareFastModel } from '../../lib/gpt/fast/prepare';
import { disposeCache, emptyCache } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import { decodeAppend, wasmDecodeAppendReady } from '../../lib/gpt/fast/wasm-attention';
import { createRng } from '../../lib/gpt/random';
import { assemble } from '../../scripts/build-wasm';
import { maxAbsDiff, tinyModel } from './gpt-helpers';

/** The fused append-and-attend kernel against what it replaces: split, two concats, q·Kᵀ, softmax, ·V. */
describe('wasm decode-append kernel', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });

  const rng = createRng(11);
  const random = (shape: [number, number, number], scale = 1) =>
    tf.tensor3d(
      Array.from({ length: shape[0] * shape[1] * shape[2] }, () => scale * rng.normal()),
      shape,
    );

  function opByOp(qkv: tf.Tensor3D, pastK: tf.Tensor3D, pastV: tf.Tensor3D) {
    return tf.tidy(() => {
      const [nkv, , hs] = pastK.shape;
      const C = qkv.shape[2] - 2 * nkv * hs;
      const [q, k, v] = tf.split(qkv, [C, nkv * hs, nkv * hs], 2);
      const K = tf.concat([pastK, tf.reshape(k, [nkv, 1, hs])], 1) as tf.Tensor3D;
      const V = tf.concat([pastV, tf.reshape(v, [nkv, 1, hs])], 1) as tf.Tensor3D;
      const att = tf.softmax(tf.matMul(tf.reshape(q, [nkv, C / (nkv * hs), hs]) as tf.Tensor3D, K, false, true));
      return [tf.matMul(att, V), K, V];
    });
  }

  // [nkv, g, hs, Tp]: multi-head, grouped, multi-query; the tiny test models' hs = 8, austen's 32, the timing models' 64.
  for (const [nkv, g, hs, Tp] of <[number, number, number, number][]>[
    [4, 1, 32, 1],
    [4, 1, 32, 255],
    [2, 2, 8, 40],
    [1, 4, 32, 100],
    [6, 1, 64, 1000],
  ]) {
    it(`nkv ${nkv}, g ${g}, hs ${hs}, ${Tp} cached: the same output and new cache, nothing left behind`, async () => {
      expect(wasmDecodeAppendReady(hs)).toBe(true);
      // Scores far apart (scale 3) so the softmax is peaked and its max-subtraction matters.
      const qkv = random([1, 1, nkv * g * hs + 2 * nkv * hs], 3);
      const pastK = random([nkv, Tp, hs]);
      const pastV = random([nkv, Tp, hs]);
      const want = opByOp(qkv, pastK, pastV);
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const got = decodeAppend(qkv, pastK, pastV);
      expect(got.map((t) => t.shape)).toEqual([
        [nkv, g, hs],
        [nkv, Tp + 1, hs],
        [nkv, Tp + 1, hs],
      ]);
      // The cache rows are copied exactly; the attention output within float32 rounding.
      expect(Array.from(await got[1].data())).toEqual(Array.from(await want[1].data()));
      expect(Array.from(await got[2].data())).toEqual(Array.from(await want[2].data()));
      expect(maxAbsDiff((await got[0].data()) as Float32Array, (await want[0].data()) as Float32Array)).toBeLessThan(1e-5);
      // Three outputs, and the kernel's scratch scores freed.
      expect(tf.memory().numTensors).toBe(tensors + 3);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds + 3);
      tf.dispose([...got, ...want, qkv, pastK, pastV]);
    });
  }

  it('leaves its inputs as they were: the old cache value stays valid', async () => {
    const pastK = random([2, 5, 8]);
    const pastV = random([2, 5, 8]);
    const before = [await pastK.data(), await pastV.data()];
    const qkv = random([1, 1, 2 * 8 + 2 * 2 * 8]);
    tf.dispose(decodeAppend(qkv, pastK, pastV));
    expect(await pastK.data()).toEqual(before[0]);
    expect(await pastV.data()).toEqual(before[1]);
    tf.dispose([pastK, pastV, qkv]);
  });

  it('is not offered where it cannot run: a head width that is not a multiple of 8, or another backend', async () => {
    expect(wasmDecodeAppendReady(12)).toBe(false);
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(wasmDecodeAppendReady(32)).toBe(false);
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it("is what the fast path's cached decode step runs on wasm, once per layer, with no split or concat", async () => {
    const model = tinyModel({ nKvHead: 2 });
    const fm = prepareFastModel(model);
    const prompt = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
    const next = tf.tensor2d([[5]], [1, 1], 'int32');
    const pre = forwardFast(fm, prompt, emptyCache(model.config));
    const info = await tf.profile(() => {
      const step = forwardFast(fm, next, pre.cache, { logits: 'last' });
      tf.dispose(step.logits);
      disposeCache(step.cache);
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'KVLabDecodeAppend')).toHaveLength(model.config.nLayer);
    expect(names).not.toContain('SplitV');
    expect(names).not.toContain('Concat');
    expect(names).not.toContain('BatchMatMul');
    tf.dispose([prompt, next, pre.logits]);
    disposeCache(pre.cache);
    disposeFastModel(fm);
    disposeWeights(model.weights);
  });

  it('ships the bytes its .wat source assembles to (rerun scripts/build-wasm.ts after editing it)', async () => {
    const shipped = Uint8Array.from(atob(DECODE_APPEND_WASM), (c) => c.charCodeAt(0));
    expect(Array.from(shipped)).toEqual(Array.from(await assemble()));
  });
});
