import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize } from './config';
import { type AttentionKV, positionRange } from './kvcache';
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

/** A cache as one layer's attention sees it: where the new tokens sit, and store-then-read. */
export interface LayerCacheIO {
  /** [B][T] the positions of the new tokens. */
  queryPositions: readonly (readonly number[])[];
  /** Stores the new rows k, v [B, nKvHead, T, hs]; returns every row the queries may see. */
  store: (k: tf.Tensor4D, v: tf.Tensor4D) => AttentionKV;
}

export interface AttentionResult {
  y: tf.Tensor3D; // [B, T, C]
  trace?: AttentionTrace;
  /** [nh, T, Tk] the attention weights (batch of one), when asked for: what H2O accumulates. */
  weights?: tf.Tensor3D;
}

/**
 * The mask for B sequences: −Infinity where a key may not be seen (it lies after the query, or is
 * padding: position −1), 0 elsewhere. [B, 1, g·T, Tk], the g query heads sharing a key/value head
 * repeated. Null when every query may see every key (one new token over its own cache): no mask needed.
 */
function positionMask(queryPos: readonly (readonly number[])[], keyPos: readonly (readonly number[])[], g: number): tf.Tensor4D | null {
  const B = queryPos.length;
  const T = queryPos[0].length;
  const Tk = keyPos[0].length;
  const hidden = (b: number, t: number, j: number) => keyPos[b][j] < 0 || keyPos[b][j] > queryPos[b][t];
  let any = false;
  const data = new Float32Array(B * g * T * Tk);
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < g * T; r++) {
      for (let j = 0; j < Tk; j++) {
        if (!hidden(b, r % T, j)) continue;
        data[(b * g * T + r) * Tk + j] = -Infinity;
        any = true;
      }
    }
  }
  return any ? tf.tensor4d(data, [B, 1, g * T, Tk]) : null;
}

/** Positions 0..T−1 for each of B sequences: a pass without a cache. */
const fromZero = (B: number, T: number) => Array.from({ length: B }, () => positionRange(0, T));

/**
 * Causal self-attention of layer `layer`, with grouped-query support.
 *
 * With a cache the new keys and values are handed to it (`kvCache` stores them its own way) and the
 * queries attend over every row it gives back, masked by position; without one they attend over the
 * T positions given. Query head h reads key/value head floor(h / g), g = nHead / nKvHead: we stack
 * each group's queries so one product serves the whole group, and the key/value heads are never copied.
 */
export function causalSelfAttention(
  x: tf.Tensor3D,
  w: Weights,
  layer: number,
  c: GPTConfig,
  kvCache: LayerCacheIO | null,
  opts: { trace?: boolean; weights?: boolean } = {},
): AttentionResult {
  const [B, T, C] = x.shape;
  const nh = c.nHead;
  const nkv = c.nKvHead;
  const hs = headSize(c);
  const g = nh / nkv;
  const p = `h.${layer}.attn`;

  const qkv = linear(tf.reshape(x, [B * T, C]), w[`${p}.c_attn.weight`], w[`${p}.c_attn.bias`]); // [B·T, C + 2·nkv·hs]
  const [q2, k2, v2] = tf.split(qkv, [C, nkv * hs, nkv * hs], 1); // [B·T, C], [B·T, nkv·hs] ×2
  const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [B, T, n, hs]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, n, T, hs]
  const q = heads(q2, nh); // [B, nh, T, hs]
  let k = heads(k2, nkv); // [B, nkv, T, hs]
  let v = heads(v2, nkv); // [B, nkv, T, hs]

  // --- the KV cache: hand it this step's k and v; attend over every row it keeps ---
  const queryPos = kvCache?.queryPositions ?? fromZero(B, T);
  let keyPos = queryPos;
  if (kvCache) ({ k, v, keyPositions: keyPos } = kvCache.store(k, v)); // [B, nkv, Tk, hs] each
  const Tk = k.shape[2];

  const qg = tf.reshape(q, [B * nkv, g * T, hs]) as tf.Tensor3D; // [B·nkv, g·T, hs] a group's queries stacked
  const kT = tf.transpose(tf.reshape(k, [B * nkv, Tk, hs]), [0, 2, 1]) as tf.Tensor3D; // [B·nkv, hs, Tk]
  const scores = bmm(qg, kT); // [B·nkv, g·T, Tk]
  const scaled = tf.mul(scores, 1 / Math.sqrt(hs));
  // One new token over its own cache may look at every row: then there is nothing to mask.
  // Without a cache every sequence has the same causal mask: build it once and let it broadcast over B.
  const mask = kvCache ? positionMask(queryPos, keyPos, g) : positionMask([queryPos[0]], [keyPos[0]], g); // [B or 1, 1, g·T, Tk] or null
  const masked = mask ? (tf.reshape(tf.add(tf.reshape(scaled, [B, nkv, g * T, Tk]), mask), [B * nkv, g * T, Tk]) as tf.Tensor3D) : scaled;
  const att = tf.softmax(masked) as tf.Tensor3D; // [B·nkv, g·T, Tk]
  const y = bmm(att, tf.reshape(v, [B * nkv, Tk, hs]) as tf.Tensor3D); // [B·nkv, g·T, hs]
  const yh = tf.reshape(tf.transpose(tf.reshape(y, [B, nh, T, hs]), [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D; // [B·T, C]
  const out = tf.reshape(linear(yh, w[`${p}.c_proj.weight`], w[`${p}.c_proj.bias`]), [B, T, C]) as tf.Tensor3D;

  const perHead = (t: tf.Tensor) => tf.reshape(t, [nh, T, Tk]) as tf.Tensor3D; // [nh, T, Tk] (B = 1)
  const weights = opts.weights ? { weights: perHead(att) } : {};
  if (!opts.trace) return { y: out, ...weights };
  return {
    y: out,
    ...weights,
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
