import * as tf from '@tensorflow/tfjs-core';
import type { CacheKind, LayerKV } from './kvcache';

/**
 * A quantized KV cache: rows stored as b-bit integers with a float scale and zero point per group,
 * dequantized (codes · scale + zero) each time attention reads them.
 *
 * Two schemes:
 * - 'kivi' (Liu et al. 2024, KIVI): keys per channel — each channel of a group of G consecutive
 *   tokens shares a scale, because key outliers sit in fixed channels — and values per token. Keys
 *   wait in float32 until G of them fill a group (KIVI's full-precision residual), so at most G−1
 *   key rows per layer are unquantized.
 * - 'token': the naive scheme, keys and values both per token (G consecutive channels of one row share
 *   a scale), quantized at once.
 *
 * Asymmetric quantization: zero = min of the group, scale = (max − min) / (2^b − 1), code =
 * round((x − zero) / scale) in 0 … 2^b − 1.
 *
 * Storage, honestly: tfjs has no 8- or 4-bit tensor type, so the codes live in int32 tensors (the
 * integers themselves, not floats). `bytes` counts them as a packed store holds them — one byte per
 * int8 code, two int4 codes per byte — plus 4 bytes for every float32 scale, zero point and residual
 * value. `tensorBytes` gives what the int32 tensors occupy in this engine.
 */

export type QuantScheme = 'kivi' | 'token';

export interface QuantOptions {
  bits: 8 | 4;
  scheme: QuantScheme;
  /** Elements that share one scale and zero point: tokens for KIVI's keys, channels otherwise. Must divide hs. Default 32. */
  groupSize?: number;
}

/** One quantized tensor: codes and their per-group scale and zero point, plus float rows not yet quantized. */
export interface QuantPart {
  codes: tf.Tensor3D | null; // [nkv, Tq, hs] int32, 0 … 2^b − 1
  scale: tf.Tensor3D | null; // per token: [nkv, Tq, hs/G]; per channel: [nkv, Tq/G, hs]
  zero: tf.Tensor3D | null; // same shape as scale
  residual: tf.Tensor3D | null; // [nkv, R, hs] float32, R < G (per-channel keys only)
}

export interface QuantStore {
  k: QuantPart;
  v: QuantPart;
}

type Axis = 'token' | 'channel';

/** Groups of G along the axis that shares a scale: [nkv, T, hs] → [nkv, T, hs/G, G] or [nkv, T/G, G, hs]. */
function grouped(x: tf.Tensor3D, axis: Axis, G: number): tf.Tensor4D {
  const [nkv, T, hs] = x.shape;
  return (axis === 'token' ? tf.reshape(x, [nkv, T, hs / G, G]) : tf.reshape(x, [nkv, T / G, G, hs])) as tf.Tensor4D;
}

/** Quantizes x [nkv, T, hs] (T a multiple of G for per-channel groups) into codes, scale and zero. */
function quantize(x: tf.Tensor3D, axis: Axis, G: number, bits: number) {
  const groupAxis = axis === 'token' ? 3 : 2; // the G elements sharing a scale
  const xg = grouped(x, axis, G); // [nkv, T, hs/G, G] or [nkv, T/G, G, hs]
  const lo = tf.min(xg, groupAxis, true);
  const hi = tf.max(xg, groupAxis, true);
  const scale = tf.maximum(tf.div(tf.sub(hi, lo), 2 ** bits - 1), 1e-12); // a constant group still decodes to itself
  const codes = tf.clipByValue(tf.round(tf.div(tf.sub(xg, lo), scale)), 0, 2 ** bits - 1);
  return {
    codes: tf.cast(tf.reshape(codes, x.shape), 'int32') as tf.Tensor3D, // [nkv, T, hs]
    scale: tf.squeeze(scale, [groupAxis]) as tf.Tensor3D, // [nkv, T, hs/G] or [nkv, T/G, hs]
    zero: tf.squeeze(lo, [groupAxis]) as tf.Tensor3D,
  };
}

/** codes · scale + zero, back to [nkv, Tq, hs] floats. */
function dequantize(p: QuantPart, axis: Axis, G: number): tf.Tensor3D {
  const codes = p.codes!;
  const groupAxis = axis === 'token' ? 3 : 2;
  const xg = grouped(tf.cast(codes, 'float32') as tf.Tensor3D, axis, G);
  const x = tf.add(tf.mul(xg, tf.expandDims(p.scale!, groupAxis)), tf.expandDims(p.zero!, groupAxis));
  return tf.reshape(x, codes.shape) as tf.Tensor3D;
}

const cat = (a: tf.Tensor3D | null, b: tf.Tensor3D | null, axis: number): tf.Tensor3D | null =>
  a && b ? tf.concat([a, b], axis) : (a ?? b);

/** Appends rows x [nkv, T, hs] to a part: per-token groups at once; per-channel ones when G rows have gathered. */
function appendPart(prev: QuantPart | null, x: tf.Tensor3D, axis: Axis, G: number, bits: number): QuantPart {
  const rows = cat(prev?.residual ?? null, x, 1)!; // [nkv, R + T, hs] the rows not yet quantized
  const ready = axis === 'token' ? rows.shape[1] : Math.floor(rows.shape[1] / G) * G;
  const rest = rows.shape[1] - ready;
  const residual = rest > 0 ? (tf.slice(rows, [0, ready, 0], [-1, rest, -1]) as tf.Tensor3D) : null; // [nkv, rest, hs]
  // The new store may not share tensor handles with prev (the caller disposes prev): clone what carries over.
  const keep = (t: tf.Tensor3D | null | undefined) => (t ? tf.clone(t) : null);
  if (ready === 0) return { codes: keep(prev?.codes), scale: keep(prev?.scale), zero: keep(prev?.zero), residual };
  const q = quantize(tf.slice(rows, [0, 0, 0], [-1, ready, -1]) as tf.Tensor3D, axis, G, bits);
  return {
    codes: cat(prev?.codes ?? null, q.codes, 1), // [nkv, Tq, hs]
    scale: cat(prev?.scale ?? null, q.scale, 1),
    zero: cat(prev?.zero ?? null, q.zero, 1),
    residual,
  };
}

function readPart(p: QuantPart, axis: Axis, G: number): tf.Tensor3D {
  return cat(p.codes ? dequantize(p, axis, G) : null, p.residual, 1)!; // [nkv, Tq + R, hs]
}

const size = (t: tf.Tensor | null) => t?.size ?? 0;

function partBytes(p: QuantPart, bits: number): number {
  return Math.ceil((size(p.codes) * bits) / 8) + 4 * (size(p.scale) + size(p.zero) + size(p.residual));
}

const partTensors = (p: QuantPart) => [p.codes, p.scale, p.zero, p.residual].filter((t): t is tf.Tensor3D => t !== null);

/** Bytes the quantized store's tensors occupy in tfjs (int32 codes: 4 bytes each), beside the packed count `bytes` gives. */
export function tensorBytes(store: QuantStore): number {
  return [...partTensors(store.k), ...partTensors(store.v)].reduce((n, t) => n + t.size * 4, 0);
}

/** The name the CLI uses: int8 / int4 for KIVI, int8-token / int4-token for the per-token scheme. */
export const quantName = (o: QuantOptions) =>
  `int${o.bits}${o.scheme === 'token' ? '-token' : ''}${o.groupSize && o.groupSize !== 32 ? `/g${o.groupSize}` : ''}`;

/**
 * A quantized cache kind. Per-token parts can drop rows (`keep`), so eviction policies work on the
 * per-token scheme; KIVI's key groups span tokens and cannot lose one, so 'kivi' has no `keep`.
 */
export function quantizedCache(o: QuantOptions): CacheKind<QuantStore> {
  const G = o.groupSize ?? 32;
  const keyAxis: Axis = o.scheme === 'kivi' ? 'channel' : 'token';
  if (!Number.isInteger(G) || G < 1) throw new RangeError(`groupSize must be a positive integer, got ${G}`);
  // Values (and per-token keys) group G channels of a row: G must divide hs. KIVI's key groups run along tokens.
  const checkShape = (x: tf.Tensor3D) => {
    if (x.shape[2] % G !== 0) throw new RangeError(`groupSize ${G} must divide the head size ${x.shape[2]}`);
  };
  const kind: CacheKind<QuantStore> = {
    name: quantName(o),
    append: (prev, k, v) => {
      checkShape(v);
      return { k: appendPart(prev?.k ?? null, k, keyAxis, G, o.bits), v: appendPart(prev?.v ?? null, v, 'token', G, o.bits) };
    },
    read: (s): LayerKV => ({ k: readPart(s.k, keyAxis, G), v: readPart(s.v, 'token', G) }),
    bytes: (s) => partBytes(s.k, o.bits) + partBytes(s.v, o.bits),
    dispose: (s) => tf.dispose([...partTensors(s.k), ...partTensors(s.v)]),
  };
  if (keyAxis === 'token') {
    kind.keep = (s, rows) => {
      const idx = tf.tensor1d(rows as number[], 'int32');
      const pick = (p: QuantPart): QuantPart => ({
        codes: tf.gather(p.codes!, idx, 1), // [nkv, rows, hs]
        scale: tf.gather(p.scale!, idx, 1), // [nkv, rows, hs/G]
        zero: tf.gather(p.zero!, idx, 1),
        residual: null,
      });
      const kept = { k: pick(s.k), v: pick(s.v) };
      idx.dispose();
      return kept;
    };
  }
  return kind;
}
