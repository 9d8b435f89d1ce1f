import * as tf from '@tensorflow/tfjs-core';
import type { CacheKind, LayerKV } from './kvcache';

/**
 * A static (preallocated) KV cache, like llama.cpp's or Hugging Face's StaticCache: each layer
 * reserves room for the whole context up front, and each new position's keys and values are written
 * into their own row of that reservation instead of being copied, with everything before them, into
 * a new tensor one row longer (what the full cache's concat does).
 *
 * Storage is position-major, one row per position: a slab [capacity, nKvHead·hs] per layer for keys
 * and one for values, so writing position t touches row t alone. A store is a view of a slab: the
 * slab and how many of its rows the store holds.
 *
 * It is still a value. Appending to a store of length L writes rows L… and returns a new store
 * sharing the slab; the old store still reads rows 0…L−1, which nothing overwrites. Two appends to
 * the same store (a branch: the bench timing one position again, or two continuations of a prompt)
 * would both write row L, so a slab counts the stores alive on it and their lengths: an append whose
 * rows another live store already holds copies the slab first (copy-on-write), and the slab is freed
 * with its last store.
 *
 * Writing in place needs a backend whose memory JavaScript can write: tfjs-wasm (its heap). Elsewhere
 * (cpu, WebGL, WebGPU) every append copies the slab instead — the same values, none of the saving.
 */

/** One layer's reservation, shared by every store made from it. */
interface Slab {
  k: tf.Tensor2D; // [capacity, nKvHead·hs]
  v: tf.Tensor2D;
  /** How many live stores hold each length: whoever writes row L must know no live store holds it. */
  live: Map<number, number>;
}

export interface StaticStore {
  slab: Slab;
  /** Rows 0…length−1 of the slab are this store's positions. */
  length: number;
  /** [nKvHead, hs] of one row. */
  rowShape: readonly [number, number];
  disposed: boolean;
}

/** What the kind uses of tfjs-wasm's backend: tensors' bytes where they lie in its heap. */
interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The heap view of a tensor's data when the backend is wasm (whose memory we may write), else null. */
export function heapView(t: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm') return null;
  return (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t);
}

function track(slab: Slab, length: number, delta: 1 | -1): void {
  const n = (slab.live.get(length) ?? 0) + delta;
  if (n > 0) slab.live.set(length, n);
  else slab.live.delete(length);
}

/** True when a store of `length` may write rows length… in place: no live store holds any of them. */
function mayWriteAfter(slab: Slab, length: number): boolean {
  for (const l of slab.live.keys()) if (l > length) return false;
  return true;
}

function newSlab(capacity: number, width: number): Slab {
  return { k: tf.zeros([capacity, width]) as tf.Tensor2D, v: tf.zeros([capacity, width]) as tf.Tensor2D, live: new Map() };
}

/** A new slab holding rows 0…rows−1 of `from` (the copy in copy-on-write). */
function copySlab(from: Slab, rows: number): Slab {
  const [capacity, width] = from.k.shape;
  const pad = (t: tf.Tensor2D) =>
    tf.tidy(
      () =>
        (rows === 0
          ? tf.zeros([capacity, width])
          : tf.concat([tf.slice(t, [0, 0], [rows, width]), tf.zeros([capacity - rows, width])])) as tf.Tensor2D,
    );
  return { k: pad(from.k), v: pad(from.v), live: new Map() };
}

/**
 * A slab that rows prev.length… may be written into, in place (wasm only): prev's own when no live
 * store holds those rows, else a copy of its first prev.length rows (copy-on-write); a fresh one for
 * the first pass.
 */
function writableSlab(prev: StaticStore | null, capacity: number, width: number): Slab {
  if (!prev) return newSlab(capacity, width);
  return mayWriteAfter(prev.slab, prev.length) ? prev.slab : copySlab(prev.slab, prev.length);
}

/** Where T new rows after `prev` start, once both ways of appending have checked they may: room left, store alive. */
function appendAt(prev: StaticStore | null, T: number, capacity: number): number {
  const at = prev?.length ?? 0;
  if (at + T > capacity) throw new RangeError(`${at} + ${T} positions exceed the static cache's ${capacity}`);
  if (prev?.disposed) throw new Error('this static-cache store was disposed');
  return at;
}

/** A new store of rows 0…length−1 on `slab`, counted among the slab's live stores. */
function storeOn(slab: Slab, length: number, rowShape: readonly [number, number]): StaticStore {
  const store: StaticStore = { slab, length, rowShape, disposed: false };
  track(slab, length, 1);
  return store;
}

/** rows [nKvHead, T, hs] (head-major, as attention computes them) → slab rows at…at+T−1, in place. */
function writeRows(slab: tf.Tensor2D, at: number, rows: tf.Tensor3D): void {
  const [nkv, T, hs] = rows.shape;
  const width = nkv * hs;
  const dst = heapView(slab)!;
  const src = heapView(rows)!;
  for (let h = 0; h < nkv; h++) {
    for (let t = 0; t < T; t++) dst.set(src.subarray((h * T + t) * hs, (h * T + t + 1) * hs), (at + t) * width + h * hs);
  }
}

/** rows [nKvHead, T, hs] → a new slab: `slab` with rows at…at+T−1 replaced (the copying path). */
function withRows(slab: tf.Tensor2D, at: number, rows: tf.Tensor3D): tf.Tensor2D {
  const [capacity, width] = slab.shape;
  const T = rows.shape[1];
  return tf.tidy(() => {
    const r = tf.reshape(tf.transpose(rows, [1, 0, 2]), [T, width]); // [T, nkv·hs]
    const parts = [
      at > 0 ? tf.slice(slab, [0, 0], [at, width]) : null,
      r,
      at + T < capacity ? tf.slice(slab, [at + T, 0], [capacity - at - T, width]) : null,
    ];
    return tf.concat(parts.filter((p): p is tf.Tensor2D => p !== null)) as tf.Tensor2D;
  });
}

/**
 * Claims rows at…at+T−1 (at = prev's length, 0 for the first pass) for a new store on wasm and
 * returns it without writing them: the caller writes them into `store.slab` — the kind's append
 * (writeRows), or the wasm fast path (writePositionMajor: its projections are position-major rows).
 */
export function claimRows(prev: StaticStore | null, T: number, capacity: number, rowShape: readonly [number, number]): StaticStore {
  const at = appendAt(prev, T, capacity);
  return storeOn(writableSlab(prev, capacity, rowShape[0] * rowShape[1]), at + T, rowShape);
}

/** Copies T position-major rows (T·width floats, from `src` at float offset `from`) into slab rows at…, in place. */
export function writePositionMajor(slab: tf.Tensor2D, at: number, src: tf.Tensor, from: number, T: number): void {
  const width = slab.shape[1];
  heapView(slab)!.set(heapView(src)!.subarray(from, from + T * width), at * width);
}

const capacities = new WeakMap<CacheKind, number>();

/** The positions a static kind reserves per layer, or null for any other kind. */
export function staticCapacity(kind: CacheKind): number | null {
  return capacities.get(kind) ?? null;
}

/** A static cache reserving `capacity` positions per layer (the model's context, normally). */
export function staticCache(capacity: number): CacheKind<StaticStore> {
  const kind: CacheKind<StaticStore> = {
    name: 'static',
    append(prev, k, v) {
      const [nkv, T, hs] = k.shape;
      if (tf.getBackend() === 'wasm') {
        const store = claimRows(prev, T, capacity, [nkv, hs]);
        writeRows(store.slab.k, store.length - T, k);
        writeRows(store.slab.v, store.length - T, v);
        return store;
      }
      // No memory we may write: a new slab with the rows replaced (the same values, and the copy a
      // static cache exists to avoid).
      const at = appendAt(prev, T, capacity);
      const base = prev?.slab ?? newSlab(capacity, nkv * hs);
      const slab: Slab = { k: withRows(base.k, at, k), v: withRows(base.v, at, v), live: new Map() };
      if (!prev) tf.dispose([base.k, base.v]);
      return storeOn(slab, at + T, [nkv, hs]);
    },
    read(store) {
      if (store.disposed) throw new Error('this static-cache store was disposed');
      const [nkv, hs] = store.rowShape;
      const T = store.length;
      const width = nkv * hs;
      const rows = (t: tf.Tensor2D) => tf.transpose(tf.reshape(tf.slice(t, [0, 0], [T, width]), [T, nkv, hs]), [1, 0, 2]) as tf.Tensor3D;
      return { k: rows(store.slab.k), v: rows(store.slab.v) } satisfies LayerKV; // [nkv, T, hs]
    },
    // The reservation is what is really held, used or not: that is the static cache's price.
    bytes: (store) => (store.slab.k.size + store.slab.v.size) * 4,
    dispose(store) {
      if (store.disposed) return;
      store.disposed = true;
      track(store.slab, store.length, -1);
      if (store.slab.live.size === 0) tf.dispose([store.slab.k, store.slab.v]);
    },
  };
  capacities.set(kind as CacheKind, capacity);
  return kind;
}
