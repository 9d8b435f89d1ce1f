import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize } from './config';
import type { LayerKV } from './kvcache';
import { bmm, linear } from './ops';
import type { Weights } from './params';

/** One layer's attention internals for a traced pass (batch of one), all as tensors. */
export interface AttentionTrace {
  q: tf.Tensor3D; // [nh, T, hs] the new tokens' queries (used once, never cached)
  k: tf.Tensor3D; // [nKvHead, Tk, hs] every key the queries can see
  v: tf.Tensor3D; // [nKvHead, Tk, hs]
  scores: tf.Tensor3D; // [nh, T, Tk] q·k
  scaled: tf.Tensor3D; // [nh, T, Tk] q·k / √hs
  masked: tf.Tensor3D; // [nh, T, Tk] with -Infinity where a key lies in the future
  weights: tf.Tensor3D; // [nh, T, Tk] softmax of masked
}

export interface AttentionResult {
  y: tf.Tensor3D; // [B, T, C]
  kv: LayerKV | null; // this layer's cache after the pass, when caching
  trace?: AttentionTrace;
}

/**
 * -Infinity above the causal diagonal, 0 elsewhere: [g·T, Tk] for T new queries at positions
 * Tp..Tp+T-1 (Tp = Tk - T), repeated for the g query heads that share one key/value head.
 */
function causalMask(T: number, Tk: number, g: number): tf.Tensor2D {
  const Tp = Tk - T;
  const data = new Float32Array(g * T * Tk);
  for (let r = 0; r < g * T; r++) {
    const t = r % T;
    for (let j = Tp + t + 1; j < Tk; j++) data[r * Tk + j] = -Infinity;
  }
  return tf.tensor2d(data, [g * T, Tk]);
}

/**
 * Causal self-attention of layer `layer`, with grouped-query support.
 *
 * With `past` (batch of one) the new keys and values are appended to it and the queries attend over
 * every cached position; without it they attend over the T positions given. Query head h reads
 * key/value head floor(h / g), g = nHead / nKvHead: we stack each group's queries so one product
 * serves the whole group, and the key/value heads are never copied.
 */
export function causalSelfAttention(
  x: tf.Tensor3D,
  w: Weights,
  layer: number,
  c: GPTConfig,
  past: LayerKV | null,
  caching: boolean,
  trace = false,
): AttentionResult {
  const [B, T, C] = x.shape;
  const nh = c.nHead;
  const nkv = c.nKvHead;
  const hs = headSize(c);
  const g = nh / nkv;
  const p = `h.${layer}.attn`;

  const qkv = linear(tf.reshape(x, [B * T, C]), w[`${p}.c_attn.weight`], w[`${p}.c_attn.bias`]); // [B·T, C + 2·nkv·hs]
  const [q2, k2, v2] = tf.split(qkv, [C, nkv * hs, nkv * hs], 1); // [B·T, C], [B·T, nkv·hs] ×2
  const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [B, T, n, hs]), [0, 2, 1, 3]); // [B, n, T, hs]
  const q = heads(q2, nh); // [B, nh, T, hs]
  let k = heads(k2, nkv) as tf.Tensor; // [B, nkv, T, hs]
  let v = heads(v2, nkv) as tf.Tensor; // [B, nkv, T, hs]

  let kv: LayerKV | null = null;
  if (caching) {
    // --- the KV cache: keep this step's k and v, append them to what earlier steps kept ---
    const kNew = tf.reshape(k, [nkv, T, hs]) as tf.Tensor3D; // [nkv, T, hs]
    const vNew = tf.reshape(v, [nkv, T, hs]) as tf.Tensor3D;
    const kAll = past ? tf.concat([past.k, kNew], 1) : kNew; // [nkv, Tp+T, hs]
    const vAll = past ? tf.concat([past.v, vNew], 1) : vNew;
    kv = { k: kAll, v: vAll };
    k = kAll;
    v = vAll;
  }
  const Tk = k.shape[k.rank - 2];

  const qg = tf.reshape(q, [B * nkv, g * T, hs]) as tf.Tensor3D; // [B·nkv, g·T, hs] a group's queries stacked
  const kT = tf.transpose(tf.reshape(k, [B * nkv, Tk, hs]), [0, 2, 1]) as tf.Tensor3D; // [B·nkv, hs, Tk]
  const scores = bmm(qg, kT); // [B·nkv, g·T, Tk]
  const scaled = tf.mul(scores, 1 / Math.sqrt(hs));
  // One new token may look at every cached position: only a multi-token pass needs the mask.
  const masked = T > 1 ? tf.add(scaled, causalMask(T, Tk, g)) : scaled;
  const att = tf.softmax(masked) as tf.Tensor3D; // [B·nkv, g·T, Tk]
  const y = bmm(att, tf.reshape(v, [B * nkv, Tk, hs]) as tf.Tensor3D); // [B·nkv, g·T, hs]
  const yh = tf.reshape(tf.transpose(tf.reshape(y, [B, nh, T, hs]), [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D; // [B·T, C]
  const out = tf.reshape(linear(yh, w[`${p}.c_proj.weight`], w[`${p}.c_proj.bias`]), [B, T, C]) as tf.Tensor3D;

  if (!trace) return { y: out, kv };
  const perHead = (t: tf.Tensor) => tf.reshape(t, [nh, T, Tk]) as tf.Tensor3D; // [nh, T, Tk] (B = 1)
  return {
    y: out,
    kv,
    trace: {
      q: tf.reshape(q, [nh, T, hs]) as tf.Tensor3D,
      k: tf.reshape(k, [nkv, Tk, hs]) as tf.Tensor3D,
      v: tf.reshape(v, [nkv, Tk, hs]) as tf.Tensor3D,
      scores: perHead(scores),
      scaled: perHead(scaled),
      masked: perHead(masked),
      weights: perHead(att),
    },
  };
}
