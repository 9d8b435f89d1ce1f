import * as tf from '@tensorflow/tfjs-core';
import { kvDim } from './config';
import type { GPT } from './forward';
import type { CacheKind, LayerKV } from './kvcache';
import { svd } from './svd';

/**
 * A latent cache: each layer caches a rank-r vector per position for its keys and one for its values,
 * instead of the nKvHead·hs-wide rows, and rebuilds K and V from them for attention.
 *
 * Post-hoc, and an approximation: we factor the trained model's key and value projections after the
 * fact. With W_k [C, nkv·hs] the K column block of c_attn.weight and W_k = U·S·Vᵀ its SVD, keep the
 * top r singular directions: A = U_r·S_r [C, r], B = V_rᵀ [r, nkv·hs], so K ≈ x·A·B + b_k. The cache
 * holds the latent x·A [T, r] and attention reads latent·B + b_k. Since W_k·V_r = U_r·S_r, the latent
 * is also (k − b_k)·V_r, which is how `append` computes it from the k the layer already made. At
 * r = nkv·hs nothing is lost; below it every key loses the directions W_k barely uses.
 *
 * What DeepSeek's MLA (DeepSeek-V2/V3) does differently: the model is *trained* with the bottleneck
 * (one latent shared by keys and values, 512 wide in V3, with its own LayerNorm); positions enter
 * through a separate small "decoupled" RoPE key (64 dims) cached beside the latent, because RoPE
 * would not commute with the up-projection; and at inference the up-projection B is absorbed into
 * the query and output projections, so K and V are never rebuilt. Here K and V are rebuilt each step.
 */

/** One layer's latents: [T, r] each. */
export interface LatentStore {
  k: tf.Tensor2D;
  v: tf.Tensor2D;
}

/** One projection's factor: V_r [nkv·hs, r] row-major, the bias, and every singular value (descending). */
interface Factor {
  basis: Float32Array;
  bias: Float32Array;
  singular: number[];
}

export interface LatentKind extends CacheKind<LatentStore> {
  readonly rank: number;
  /** Per layer, the singular values of W_k and W_v (descending): how much each kept direction carries. */
  readonly singularValues: readonly { k: readonly number[]; v: readonly number[] }[];
}

/** The K (which = 1) or V (which = 2) column block of a [C, C + 2·kvd] c_attn matrix, row-major [C, kvd]. */
function columnBlock(w: Float32Array, C: number, kvd: number, which: 1 | 2): Float64Array {
  const width = C + 2 * kvd;
  const out = new Float64Array(C * kvd);
  for (let r = 0; r < C; r++) for (let j = 0; j < kvd; j++) out[r * kvd + j] = w[r * width + C + (which - 1) * kvd + j];
  return out;
}

function factor(w: Float32Array, b: Float32Array, C: number, kvd: number, which: 1 | 2, rank: number): Factor {
  const { s, v } = svd(columnBlock(w, C, kvd, which), C, kvd); // v [kvd, kvd], columns by singular value
  const basis = new Float32Array(kvd * rank); // V_r [kvd, r]
  for (let i = 0; i < kvd; i++) for (let j = 0; j < rank; j++) basis[i * rank + j] = v[i * kvd + j];
  return { basis, bias: b.slice(C + (which - 1) * kvd, C + which * kvd), singular: Array.from(s) };
}

/** [nkv, T, hs] → latents [T, r]: (rows − bias)·V_r. */
function toLatent(x: tf.Tensor3D, f: Factor, rank: number): tf.Tensor2D {
  const [nkv, T, hs] = x.shape;
  const rows = tf.reshape(tf.transpose(x, [1, 0, 2]), [T, nkv * hs]); // [T, nkv·hs] head-major, as c_attn lays it out
  return tf.matMul(tf.sub(rows, tf.tensor1d(f.bias)), tf.tensor2d(f.basis, [nkv * hs, rank])); // [T, r]
}

/** latents [T, r] → [nkv, T, hs]: latent·V_rᵀ + bias. */
function fromLatent(lat: tf.Tensor2D, f: Factor, nkv: number, hs: number, rank: number): tf.Tensor3D {
  const T = lat.shape[0];
  const rows = tf.add(tf.matMul(lat, tf.tensor2d(f.basis, [nkv * hs, rank]), false, true), tf.tensor1d(f.bias)); // [T, nkv·hs]
  return tf.transpose(tf.reshape(rows, [T, nkv, hs]), [1, 0, 2]) as tf.Tensor3D; // [nkv, T, hs]
}

/**
 * The latent cache kind of rank r for this model: factors every layer's W_k and W_v once (awaited
 * weight reads, so it is safe on WebGPU; ~0.1 s per layer on a laptop for 128 × 128). The factors are
 * plain arrays held by the kind, so nothing here needs disposing but the caches themselves.
 */
export async function latentCache(model: GPT, rank: number): Promise<LatentKind> {
  const c = model.config;
  const kvd = kvDim(c);
  const hs = kvd / c.nKvHead;
  if (!Number.isInteger(rank) || rank < 1 || rank > kvd)
    throw new RangeError(`latent rank must be an integer from 1 to ${kvd}, got ${rank}`);
  const factors: { k: Factor; v: Factor }[] = [];
  for (let i = 0; i < c.nLayer; i++) {
    const w = (await model.weights[`h.${i}.attn.c_attn.weight`].data()) as Float32Array;
    const b = (await model.weights[`h.${i}.attn.c_attn.bias`].data()) as Float32Array;
    factors.push({ k: factor(w, b, c.nEmbd, kvd, 1, rank), v: factor(w, b, c.nEmbd, kvd, 2, rank) });
  }
  const cat = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.concat([a, b], 0) as tf.Tensor2D; // [Tp + T, r]
  return {
    name: `latent:${rank}`,
    rank,
    singularValues: factors.map((f) => ({ k: f.k.singular, v: f.v.singular })),
    append: (prev, k, v, layer) => {
      const f = factors[layer];
      const lk = toLatent(k, f.k, rank);
      const lv = toLatent(v, f.v, rank);
      return prev ? { k: cat(prev.k, lk), v: cat(prev.v, lv) } : { k: lk, v: lv };
    },
    read: (s, layer): LayerKV => ({
      k: fromLatent(s.k, factors[layer].k, c.nKvHead, hs, rank),
      v: fromLatent(s.v, factors[layer].v, c.nKvHead, hs, rank),
    }),
    bytes: (s) => (s.k.size + s.v.size) * 4,
    keep: (s, rows) => {
      const idx = tf.tensor1d(rows as number[], 'int32');
      const kept = { k: tf.gather(s.k, idx, 0), v: tf.gather(s.v, idx, 0) }; // [rows, r]
      idx.dispose();
      return kept;
    },
    dispose: (s) => tf.dispose([s.k, s.v]),
  };
}
