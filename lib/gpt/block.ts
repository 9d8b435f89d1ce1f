import * as tf from '@tensorflow/tfjs-core';
import { causalSelfAttention, type AttentionResult, type LayerCacheIO } from './attention';
import type { GPTConfig } from './config';
import { mlp } from './mlp';
import { layerNorm } from './ops';
import type { Weights } from './params';

/** A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
export function block(
  x: tf.Tensor3D,
  w: Weights,
  layer: number,
  c: GPTConfig,
  kvCache: LayerCacheIO | null,
  opts: { trace?: boolean; weights?: boolean },
): Omit<AttentionResult, 'y'> & { x: tf.Tensor3D } {
  const [B, T, C] = x.shape;
  const h = `h.${layer}`;
  const a = causalSelfAttention(layerNorm(x, w[`${h}.ln_1.weight`], w[`${h}.ln_1.bias`]), w, layer, c, kvCache, opts);
  const x1 = tf.add(x, a.y) as tf.Tensor3D; // [B, T, C]
  const m = mlp(tf.reshape(layerNorm(x1, w[`${h}.ln_2.weight`], w[`${h}.ln_2.bias`]), [B * T, C]) as tf.Tensor2D, w, layer); // [B·T, C]
  return { x: tf.add(x1, tf.reshape(m, [B, T, C])) as tf.Tensor3D, trace: a.trace, weights: a.weights };
}
