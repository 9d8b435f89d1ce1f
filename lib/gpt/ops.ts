import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPS } from './config';

/**
 * 2-D matrix product whose gradient transposes explicitly.
 *
 * Why not plain tf.matMul: tfjs's own gradient asks for transposeA/transposeB, and on the wasm backend
 * a transposed matMul falls off XNNPACK's fast path; transposing first and multiplying plainly made
 * training about 2× faster. Forward it is exactly tf.matMul(a, b).
 */
export const matmul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * Batched product [N, M, K] × [N, K, P] → [N, M, P]: one tf.matMul on every backend.
 *
 * The wasm backend once ran N plain 2-D products here instead, but tfjs-wasm 4.22's Unpack (slicing
 * the batch apart) costs far more than it saves: unstacking K as [4, 32, 255] takes ~1.4–2 ms, and a
 * cached step at position 255 spent 21 of its ~15–22 ms there. Measured on wasm (Node, 2 cores), one
 * batched matMul beats the loop at every shape attention uses, e.g. [4, 1, 32]·[4, 32, 255] 0.13 ms
 * against 4.1 ms, [4, 255, 255]·[4, 255, 32] 5.9 ms against 17.3 ms.
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(a, b);
}

/** x [N, in] · w [in, out] + b [out] → [N, out]: GPT-2's Conv1D. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(matmul(x, w as tf.Tensor2D), b);
}

/** LayerNorm over the last axis, epsilon 1e-5 as in GPT-2. */
export function layerNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, bias: tf.Tensor): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)));
  return tf.add(tf.mul(xhat, weight), bias) as T;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's "gelu_new"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner))) as T;
}

/** tf.tidy for a function returning a plain object of tensors (tidy keeps every tensor inside it). */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
