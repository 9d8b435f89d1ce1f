import * as tf from '@tensorflow/tfjs-core';
import { gelu, linear } from './ops';
import type { Weights } from './params';

/** The feed-forward half of a block: [B·T, C] → 4C → GELU → [B·T, C]. */
export function mlp(x: tf.Tensor2D, w: Weights, layer: number): tf.Tensor2D {
  const p = `h.${layer}.mlp`;
  const h = gelu(linear(x, w[`${p}.c_fc.weight`], w[`${p}.c_fc.bias`])); // [B·T, 4C]
  return linear(h, w[`${p}.c_proj.weight`], w[`${p}.c_proj.bias`]); // [B·T, C]
}
