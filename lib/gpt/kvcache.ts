import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize } from './config';

/**
 * The KV cache: a plain value the caller owns. `forward` takes one in and hands a new one back; the
 * old one is left as it was, so the caller decides when to dispose it (generators do so at once).
 *
 * Every kind of cache (full, quantized, latent, …) is the same value with a different {@link CacheKind}:
 * the kind says how a layer's rows are stored, and attention only ever sees float keys and values.
 * Rows carry their true positions, because the model learned absolute position embeddings: a policy
 * that evicts position 7 leaves positions 6 and 8 where they were.
 */

/** One layer's keys and values as attention reads them: [nKvHead, T, hs] each, float32. */
export interface LayerKV {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/**
 * How one cache kind stores a layer's rows. Each kind implements these, on its own store type S.
 * None of them modifies or frees the store passed in: they return a new one (tensors are shared or
 * copied as the kind needs), and the caller disposes the old cache.
 */
export interface CacheKind<S = unknown> {
  /** What the CLI and UI call it: 'full', 'int8', 'int4-token', 'latent:16', … */
  readonly name: string;
  /** A store holding `prev`'s rows followed by k and v [nKvHead, T, hs] (float, as computed). */
  append(prev: S | null, k: tf.Tensor3D, v: tf.Tensor3D, layer: number): S;
  /** Every stored row as float keys and values [nKvHead, Tk, hs]; dequantizes or rebuilds, so call it inside the caller's tidy. */
  read(store: S, layer: number): LayerKV;
  /** Bytes of what is really stored (payload, scales, zero points, latents…): no tensor data is read. */
  bytes(store: S): number;
  /** A store keeping only the rows at these indices, in order (for eviction). Kinds without it cannot be evicted from. */
  keep?(store: S, rows: readonly number[]): S;
  /** Frees the store's tensors. Safe to call twice. */
  dispose(store: S): void;
}

/** One layer of a cache: the kind's store and the absolute position of each stored row. */
export interface CacheLayer<S = unknown> {
  store: S;
  /** positions[i] is the position (0 … blockSize−1) of row i; ascending. */
  positions: readonly number[];
  /** mass[i]: the attention row i has received so far, summed over heads and steps — kept only by a policy that needs it (H2O). */
  mass?: readonly number[];
}

/** A position a policy dropped from the cache, and the step (forward pass, 0 = prefill) it was dropped after. */
export interface Eviction {
  position: number;
  step: number;
  /** The layer it left; policies that evict the same positions everywhere record layer 0 … nLayer−1 each. */
  layer: number;
}

export interface KVCache<S = unknown> {
  /** How rows are stored. */
  readonly kind: CacheKind<S>;
  /** One entry per layer; empty while the cache holds no positions. */
  readonly layers: readonly CacheLayer<S>[];
  /** Rows held (per layer; policies keep every layer the same size). Equals `next` until something is evicted. */
  readonly length: number;
  /** The position the next token takes: tokens the cache has seen, evicted or not. */
  readonly next: number;
  /** The most positions it may hold: the model's blockSize (positions never exceed it either). */
  readonly capacity: number;
  /** Forward passes that wrote into this cache so far (the prefill is pass 0). */
  readonly steps: number;
  /** Every position evicted so far, oldest first. */
  readonly evictions: readonly Eviction[];
  /** [nKvHead, hs]: the shape of one position's keys (or values) as attention reads them. */
  readonly rowShape: readonly [number, number];
}

/** The full cache: every row kept as float32 — the reference every other kind is compared with. */
export const fullCache: CacheKind<LayerKV> = {
  name: 'full',
  append: (prev, k, v) => (prev ? { k: tf.concat([prev.k, k], 1), v: tf.concat([prev.v, v], 1) } : { k, v }), // [nkv, Tp+T, hs]
  read: (store) => store,
  bytes: (store) => (store.k.size + store.v.size) * 4,
  keep: (store, rows) => {
    const idx = tf.tensor1d(rows as number[], 'int32');
    const kept = { k: tf.gather(store.k, idx, 1), v: tf.gather(store.v, idx, 1) }; // [nkv, rows, hs]
    idx.dispose();
    return kept;
  },
  dispose: (store) => tf.dispose([store.k, store.v]),
};

/** A cache holding nothing yet, ready for the first (prefill) forward pass. `kind` defaults to the full cache. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any kind's store
export function emptyCache(c: GPTConfig, kind: CacheKind<any> = fullCache): KVCache {
  return { kind, layers: [], length: 0, next: 0, capacity: c.blockSize, steps: 0, evictions: [], rowShape: [c.nKvHead, headSize(c)] };
}

/** Bytes the cache really stores, as its kind counts them (for the full cache: 2 · nLayer · nKvHead · hs · T · 4). */
export function cacheBytes(cache: KVCache): number {
  return cache.layers.reduce((n, l) => n + cache.kind.bytes(l.store), 0);
}

/** The full cache's figure from the formula alone, for a cache of T positions. */
export function cacheBytesFor(c: GPTConfig, T: number): number {
  return 2 * c.nLayer * c.nKvHead * headSize(c) * T * 4;
}

/** Frees the cache's tensors. Safe to call twice, and with null. */
export function disposeCache(cache: KVCache | null | undefined): void {
  if (!cache) return;
  for (const l of cache.layers) cache.kind.dispose(l.store);
}

/** One layer's cache as plain arrays: k and v are [nKvHead][T][hs] (dequantized/rebuilt floats), positions [T]. */
export interface PlainLayerKV {
  k: number[][][];
  v: number[][][];
  positions: number[];
}

/**
 * The cache's contents as plain float arrays for the UI, one entry per layer (empty for an empty
 * cache): what attention reads, so a quantized cache shows its dequantized values. Awaited reads,
 * never dataSync, so it is safe on WebGPU. The cache must stay alive until this resolves: a
 * generator's cache is valid until its next `next()` call.
 */
export async function readCache(cache: KVCache): Promise<PlainLayerKV[]> {
  return Promise.all(
    cache.layers.map(async (l, i) => {
      const kv = tf.tidy(() => {
        const r = cache.kind.read(l.store, i);
        return { k: tf.clone(r.k), v: tf.clone(r.v) };
      });
      try {
        return {
          k: (await kv.k.array()) as number[][][],
          v: (await kv.v.array()) as number[][][],
          positions: [...l.positions],
        };
      } finally {
        tf.dispose([kv.k, kv.v]);
      }
    }),
  );
}

/** What the cache holds, without reading any tensor data. */
export interface CacheInfo {
  kind: string;
  length: number;
  next: number;
  capacity: number;
  bytes: number;
  /** Per layer: the float k and v shapes attention reads, [nKvHead, rows, hs] each. */
  layers: { k: number[]; v: number[] }[];
  /** Per layer: the positions held. */
  positions: number[][];
  evictions: Eviction[];
}

export function cacheInfo(cache: KVCache): CacheInfo {
  return {
    kind: cache.kind.name,
    length: cache.length,
    next: cache.next,
    capacity: cache.capacity,
    bytes: cacheBytes(cache),
    layers: cache.layers.map((l) => {
      const shape = [cache.rowShape[0], l.positions.length, cache.rowShape[1]];
      return { k: shape, v: [...shape] };
    }),
    positions: cache.layers.map((l) => [...l.positions]),
    evictions: [...cache.evictions],
  };
}

/** What attention reads for one layer: keys and values of every row the queries may see, and each row's position. */
export interface AttentionKV {
  k: tf.Tensor4D; // [B, nKvHead, Tk, hs]
  v: tf.Tensor4D; // [B, nKvHead, Tk, hs]
  /** [B][Tk] the position of each key row; −1 marks padding (a shorter sequence in a batch), never attended. */
  keyPositions: readonly (readonly number[])[];
}

/**
 * One forward pass's use of a cache: where the new tokens sit, one store-then-read per layer, and
 * the cache value that results. `forward` asks the cache for one of these; every cache value (the
 * contiguous kinds here, the paged cache in kvcache-paged.ts) provides it.
 */
export interface CacheStep<C> {
  /** [B][T] the positions of the new tokens. */
  queryPositions: readonly (readonly number[])[];
  /** Stores layer i's new rows k, v [B, nKvHead, T, hs] and returns everything attention reads. */
  layer(i: number): (k: tf.Tensor4D, v: tf.Tensor4D) => AttentionKV;
  /** The new cache value, once every layer has been stored. */
  finish(): C;
}

/** Positions from..from+n−1. */
export const positionRange = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** A contiguous cache's step (batch of one): append through the kind, read back everything it holds. */
export function cacheStep<S>(cache: KVCache<S>, B: number, T: number): CacheStep<KVCache<S>> {
  if (B !== 1) throw new RangeError('a KV cache holds one sequence: batch size must be 1 (the paged cache batches several)');
  const newPositions = positionRange(cache.next, T);
  const layers: CacheLayer<S>[] = [];
  return {
    queryPositions: [newPositions],
    layer: (i) => (k, v) => {
      const prev = cache.layers[i];
      const store = cache.kind.append(prev?.store ?? null, tf.squeeze(k, [0]), tf.squeeze(v, [0]), i); // [nkv, T, hs] in
      const positions = [...(prev?.positions ?? []), ...newPositions];
      layers[i] = prev?.mass ? { store, positions, mass: [...prev.mass, ...newPositions.map(() => 0)] } : { store, positions };
      const r = cache.kind.read(store, i); // [nkv, Tk, hs]
      return { k: tf.expandDims(r.k, 0) as tf.Tensor4D, v: tf.expandDims(r.v, 0) as tf.Tensor4D, keyPositions: [positions] };
    },
    finish: () => ({
      ...cache,
      layers,
      length: layers[0]?.positions.length ?? 0,
      next: cache.next + T,
      steps: cache.steps + 1,
    }),
  };
}
