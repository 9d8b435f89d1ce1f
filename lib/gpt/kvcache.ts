import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize } from './config';

/** One layer's cached keys and values: [nKvHead, T, hs] each. */
export interface LayerKV {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/**
 * The KV cache: a plain value the caller owns. `forward` takes one in and hands a new one back; the
 * old one is left as it was, so the caller decides when to dispose it (generators do so at once).
 */
export interface KVCache {
  /** One entry per layer; empty while the cache holds no positions. */
  readonly layers: readonly LayerKV[];
  /** Positions cached so far (T). */
  readonly length: number;
  /** The most positions it may hold: the model's blockSize. */
  readonly capacity: number;
}

/** A cache holding nothing yet, ready to be passed to the first (prefill) forward pass. */
export function emptyCache(c: GPTConfig): KVCache {
  return { layers: [], length: 0, capacity: c.blockSize };
}

/** Bytes the cache's float32 tensors occupy: 2 · nLayer · nKvHead · hs · T · 4. */
export function cacheBytes(cache: KVCache): number {
  return cache.layers.reduce((n, l) => n + (l.k.size + l.v.size) * 4, 0);
}

/** The same figure from the formula alone, for a cache of T positions. */
export function cacheBytesFor(c: GPTConfig, T: number): number {
  return 2 * c.nLayer * c.nKvHead * headSize(c) * T * 4;
}

/** Frees the cache's tensors. Safe to call twice. */
export function disposeCache(cache: KVCache | null | undefined): void {
  if (!cache) return;
  for (const l of cache.layers) {
    l.k.dispose();
    l.v.dispose();
  }
}

/** One layer's cache as plain arrays: k and v are [nKvHead][T][hs]. */
export interface PlainLayerKV {
  k: number[][][];
  v: number[][][];
}

/**
 * The cache's contents as plain arrays for the UI, one entry per layer (empty for an empty cache).
 * Awaited reads, never dataSync, so it is safe on WebGPU. The cache must stay alive until this
 * resolves: a generator's cache is valid until its next `next()` call.
 */
export async function readCache(cache: KVCache): Promise<PlainLayerKV[]> {
  return Promise.all(
    cache.layers.map(async (l) => ({
      k: (await l.k.array()) as number[][][],
      v: (await l.v.array()) as number[][][],
    })),
  );
}

/** What the cache holds, without reading any tensor data. */
export interface CacheInfo {
  length: number;
  capacity: number;
  bytes: number;
  /** Per layer: k and v shapes, [nKvHead, T, hs] each. */
  layers: { k: number[]; v: number[] }[];
}

export function cacheInfo(cache: KVCache): CacheInfo {
  return {
    length: cache.length,
    capacity: cache.capacity,
    bytes: cacheBytes(cache),
    layers: cache.layers.map((l) => ({ k: [...l.k.shape], v: [...l.v.shape] })),
  };
}
