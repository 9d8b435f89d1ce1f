import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_NORM_EPS } from '../../lib/gpt/config';
import { EMBED, GELU, registerWasmKernels } from '../../lib/gpt/fast/wasm-kernels';
import { LAYER_NORM } from '../../lib/gpt/fast/webgpu-layernorm';
import { createRng } from '../../lib/gpt/random';

/** The fast path's small wasm kernels against the op-by-op forms they replace (forward-fast.ts's). */
describe('wasm kernels: LayerNorm normalisation, GELU and the input embedding', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    registerWasmKernels();
  });

  const rng = createRng(5);
  const random = (shape: number[], scale = 3) =>
    tf.tensor(
      Array.from({ length: shape.reduce((a, b) => a * b) }, () => scale * rng.normal()),
      shape,
    );

  it('normalises every row of the last axis as mean, square, rsqrt and mul do, with no tensor left behind', async () => {
    const x = random([1, 7, 128]);
    const before = tf.memory().numTensors;
    const got = tf.engine().runKernel(LAYER_NORM, { x }, { eps: LAYER_NORM_EPS }) as tf.Tensor;
    const want = tf.tidy(() => {
      const d = tf.sub(x, tf.mean(x, -1, true));
      return tf.mul(d, tf.rsqrt(tf.add(tf.mean(tf.square(d), -1, true), LAYER_NORM_EPS)));
    });
    expect(got.shape).toEqual([1, 7, 128]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    // Each row now has mean 0 and variance 1 (less ε's share).
    const row = ((await got.data()) as Float32Array).slice(128, 256);
    expect(Math.abs(row.reduce((a, b) => a + b, 0) / 128)).toBeLessThan(1e-6);
    expect(row.reduce((a, b) => a + b * b, 0) / 128).toBeCloseTo(1, 4);
    tf.dispose([got, want]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it("computes GPT-2's tanh GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), including far tails", async () => {
    const x = tf.tidy(() => tf.concat([tf.reshape(random([1, 3, 512]), [-1]), tf.tensor1d([-60, -20, 0, 20, 60])]));
    const got = tf.engine().runKernel(GELU, { x }) as tf.Tensor;
    const xs = await x.data();
    const ys = await got.data();
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      const want = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      worst = Math.max(worst, Math.abs(ys[i] - want));
    }
    expect(worst).toBeLessThan(1e-5);
    // The tails, where x³ dwarfs everything: 0 (within 1e-30) far below, x itself far above, never NaN.
    expect(Array.from(ys.slice(-5))).toEqual([expect.closeTo(0, 30), expect.closeTo(0, 30), 0, 20, 60]);
    tf.dispose([x, got]);
  });

  it('embeds tokens plus positions from pos0 exactly as gather, range and add do, with no tensor left behind', async () => {
    const wte = random([50, 16]);
    const wpe = random([12, 16]);
    const ids = tf.tensor2d([[49, 0, 7, 7, 23]], [1, 5], 'int32');
    const before = tf.memory().numTensors;
    for (const pos0 of [0, 3, 7]) {
      const got = tf.engine().runKernel(EMBED, { wte, wpe, ids }, { pos0 }) as tf.Tensor;
      const want = tf.tidy(() => tf.add(tf.gather(wte, ids), tf.gather(wpe, tf.range(pos0, pos0 + 5, 1, 'int32'))));
      expect(got.shape).toEqual([1, 5, 16]);
      // Bit for bit: each element is one float32 addition either way.
      expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
      tf.dispose([got, want]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([wte, wpe, ids]);
  });

  it('refuses a token id outside the vocabulary, or positions past the model’s, with a message and nothing allocated', () => {
    const wte = random([50, 16]);
    const wpe = random([12, 16]);
    const bad = tf.tensor2d([[3, 50]], [1, 2], 'int32');
    const negative = tf.tensor2d([[-1]], [1, 1], 'int32');
    const ok = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const before = tf.memory().numTensors;
    expect(() => tf.engine().runKernel(EMBED, { wte, wpe, ids: bad }, { pos0: 0 })).toThrow('token id 50 is not in the vocabulary [0, 49]');
    expect(() => tf.engine().runKernel(EMBED, { wte, wpe, ids: negative }, { pos0: 0 })).toThrow('token id -1');
    expect(() => tf.engine().runKernel(EMBED, { wte, wpe, ids: ok }, { pos0: 10 })).toThrow('positions 10…12 are past the 12');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([wte, wpe, bad, negative, ok]);
  });
});
