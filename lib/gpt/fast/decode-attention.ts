import * as tf from '@tensorflow/tfjs-core';
import { DECODE_ATTENTION, MAX_FUSED_KEYS, registerWebGPUDecodeAttention } from './webgpu-attention';

/**
 * One new token's attention over the whole cache, grouped-query aware:
 * q [nkv, g, hs] (the g query heads that share key/value head i stacked in row i, already × 1/√hs),
 * k and v [nkv, Tk, hs] → [nkv, g, hs].
 *
 * On WebGPU one fused kernel does q·Kᵀ → softmax → ·V (webgpu-attention.ts); elsewhere two batched
 * products and a softmax. No mask: one new token may look at every cached position.
 */
export function decodeAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() === 'webgpu' && k.shape[1] <= MAX_FUSED_KEYS) {
    registerWebGPUDecodeAttention();
    return tf.engine().runKernel(DECODE_ATTENTION, { query: q, keys: k, values: v }, {}) as tf.Tensor3D;
  }
  const att = tf.softmax(tf.matMul(q, k, false, true)); // [nkv, g, Tk]
  return tf.matMul(att, v); // [nkv, g, hs]
}
