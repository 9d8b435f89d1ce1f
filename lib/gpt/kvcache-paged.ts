import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize } from './config';
import { forwardStep, type ForwardOptions, type ForwardResult, type GPT } from './forward';
import { type CacheStep, positionRange } from './kvcache';

/**
 * A paged KV cache, like vLLM's PagedAttention: one pool of fixed-size blocks (16 positions each by
 * default) shared by every sequence, and per sequence a block table saying which block holds its
 * positions 0–15, 16–31, …. Attention reads a sequence's rows through its table, so a sequence's
 * cache need not be contiguous and a server allocates memory one block at a time instead of
 * reserving a whole context per request.
 *
 * Blocks are reference counted: a sequence started from another's prefix points at the same blocks
 * (prefix sharing), and the first write into a shared block copies it first (copy-on-write).
 *
 * The value rules match the contiguous cache's: `forwardPaged` leaves the cache passed in untouched
 * and returns a new one with new pool tensors (dispose the old one with `disposePaged`). The table
 * operations (`addSequence`, `forkSequence`, `freeSequence`) change only plain bookkeeping: they
 * return a new value sharing the pool, and the old value is spent — use the returned one.
 */

export type SeqId = string;

export interface PagedSequence {
  /** table[j] is the block holding positions j·blockSize … j·blockSize + blockSize − 1. */
  table: readonly number[];
  /** Positions written so far. */
  length: number;
}

export interface PagedCache {
  readonly blockSize: number;
  readonly numBlocks: number;
  /** The model's context: no sequence grows past it. */
  readonly contextLength: number;
  /** [nKvHead, hs] of one position's keys (or values). */
  readonly rowShape: readonly [number, number];
  /** Per layer, the pool's keys and values [numBlocks·blockSize, nKvHead·hs]: block b is rows b·blockSize … +blockSize−1. */
  readonly pool: readonly { k: tf.Tensor2D; v: tf.Tensor2D }[];
  /** refCount[b]: how many block tables hold block b; 0 means free. */
  readonly refCount: readonly number[];
  readonly seqs: Readonly<Record<SeqId, PagedSequence>>;
}

/** No free block is left for a sequence that needs one: the caller may wait, preempt or refuse. */
export class PoolExhaustedError extends Error {
  override name = 'PoolExhaustedError';
}

/** A pool of numBlocks empty blocks (all zeros) and no sequences. */
export function createPagedCache(c: GPTConfig, o: { numBlocks: number; blockSize?: number }): PagedCache {
  const blockSize = o.blockSize ?? 16;
  if (!Number.isInteger(o.numBlocks) || o.numBlocks < 1) throw new RangeError(`numBlocks must be a positive integer, got ${o.numBlocks}`);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`blockSize must be a positive integer, got ${blockSize}`);
  const rows = o.numBlocks * blockSize;
  const width = c.nKvHead * headSize(c);
  return {
    blockSize,
    numBlocks: o.numBlocks,
    contextLength: c.blockSize,
    rowShape: [c.nKvHead, headSize(c)],
    pool: Array.from({ length: c.nLayer }, () => ({
      k: tf.zeros([rows, width]) as tf.Tensor2D,
      v: tf.zeros([rows, width]) as tf.Tensor2D,
    })),
    refCount: new Array(o.numBlocks).fill(0),
    seqs: {},
  };
}

/** Frees the pool's tensors. */
export function disposePaged(p: PagedCache | null | undefined): void {
  if (p) for (const l of p.pool) tf.dispose([l.k, l.v]);
}

function seq(p: PagedCache, id: SeqId): PagedSequence {
  const s = p.seqs[id];
  if (!s) throw new RangeError(`no sequence "${id}" in the paged cache`);
  return s;
}

/** Adds an empty sequence (no blocks until it is written). */
export function addSequence(p: PagedCache, id: SeqId): PagedCache {
  if (p.seqs[id]) throw new RangeError(`sequence "${id}" already exists`);
  return { ...p, seqs: { ...p.seqs, [id]: { table: [], length: 0 } } };
}

/**
 * A new sequence sharing the first `length` positions of `from` (default: all of them): its table
 * points at the same blocks, each block's count goes up, and nothing is copied until one of them
 * writes into a shared block. The caller promises the tokens of that prefix are the new sequence's too.
 */
export function forkSequence(p: PagedCache, from: SeqId, id: SeqId, length = seq(p, from).length): PagedCache {
  const src = seq(p, from);
  if (p.seqs[id]) throw new RangeError(`sequence "${id}" already exists`);
  if (!Number.isInteger(length) || length < 0 || length > src.length)
    throw new RangeError(`cannot share ${length} positions of "${from}", which has ${src.length}`);
  const table = src.table.slice(0, Math.ceil(length / p.blockSize));
  const refCount = [...p.refCount];
  for (const b of table) refCount[b]++;
  return { ...p, refCount, seqs: { ...p.seqs, [id]: { table, length } } };
}

/** Drops a sequence; blocks no other table holds become free. */
export function freeSequence(p: PagedCache, id: SeqId): PagedCache {
  const s = seq(p, id);
  const refCount = [...p.refCount];
  for (const b of s.table) refCount[b]--;
  const seqs = { ...p.seqs };
  delete seqs[id];
  return { ...p, refCount, seqs };
}

/**
 * Plans one pass writing T positions to each of `ids`: allocates the blocks they need (lowest free
 * first) and, where a sequence is about to write into a block another table shares, a fresh copy
 * (copy-on-write). Plain bookkeeping: the copies happen in the pass.
 */
function plan(p: PagedCache, ids: readonly SeqId[], T: number) {
  const refCount = [...p.refCount];
  const seqs = { ...p.seqs };
  const copies: [from: number, to: number][] = [];
  const take = () => {
    const b = refCount.indexOf(0);
    if (b < 0) throw new PoolExhaustedError(`the pool's ${p.numBlocks} blocks are all in use`);
    refCount[b] = 1;
    return b;
  };
  for (const id of ids) {
    const s = seq(p, id);
    const table = [...s.table];
    for (let j = Math.floor(s.length / p.blockSize); j * p.blockSize < s.length + T; j++) {
      if (j >= table.length) table.push(take());
      else if (refCount[table[j]] > 1) {
        const copy = take(); // copy-on-write: this table gets its own copy of the shared block
        refCount[table[j]]--;
        copies.push([table[j], copy]);
        table[j] = copy;
      }
    }
    seqs[id] = { table, length: s.length + T };
  }
  return { refCount, seqs, copies };
}

/** Pool rows holding positions `positions` of a sequence with this table. */
const slots = (table: readonly number[], positions: readonly number[], bs: number) =>
  positions.map((t) => table[Math.floor(t / bs)] * bs + (t % bs));

/** The paged cache's step for the sequences `ids` (the batch, in order), each writing T new positions. */
function pagedStep(p: PagedCache, ids: readonly SeqId[], T: number): CacheStep<PagedCache> {
  const { refCount, seqs, copies } = plan(p, ids, T);
  const bs = p.blockSize;
  const [nkv, hs] = p.rowShape;
  const queryPositions = ids.map((id) => positionRange(seq(p, id).length, T));
  const Tk = Math.max(...ids.map((id) => seqs[id].length)); // the longest sequence; shorter ones are padded
  const keyPositions = ids.map((id) => positionRange(0, Tk).map((t) => (t < seqs[id].length ? t : -1))); // −1: padding
  const readSlots = ids.flatMap((id, b) => keyPositions[b].map((t) => (t < 0 ? 0 : slots(seqs[id].table, [t], bs)[0]))); // [B·Tk]
  const writeSlots = ids.flatMap((id, b) => slots(seqs[id].table, queryPositions[b], bs)); // [B·T]
  const copyFrom = copies.flatMap(([from]) => positionRange(from * bs, bs));
  const copyTo = copies.flatMap(([, to]) => positionRange(to * bs, bs));
  const pool: PagedCache['pool'][number][] = [];
  const B = ids.length;

  const write = (t: tf.Tensor2D, rows: tf.Tensor2D) => {
    let out = t;
    // Copy-on-write.
    if (copyTo.length) out = tf.tensorScatterUpdate(out, tf.tensor2d(copyTo, [copyTo.length, 1], 'int32'), tf.gather(out, copyFrom));
    return tf.tensorScatterUpdate(out, tf.tensor2d(writeSlots, [writeSlots.length, 1], 'int32'), rows) as tf.Tensor2D; // [rows, nkv·hs]
  };
  // [B, nkv, T, hs] → [B·T, nkv·hs]
  const asRows = (x: tf.Tensor4D) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, nkv * hs]) as tf.Tensor2D;
  // [B, nkv, Tk, hs], gathered through the tables
  const read = (t: tf.Tensor2D) =>
    tf.transpose(tf.reshape(tf.gather(t, tf.tensor1d(readSlots, 'int32')), [B, Tk, nkv, hs]), [0, 2, 1, 3]) as tf.Tensor4D;

  return {
    queryPositions,
    layer: (i) => (k, v) => {
      pool[i] = { k: write(p.pool[i].k, asRows(k)), v: write(p.pool[i].v, asRows(v)) };
      return { k: read(pool[i].k), v: read(pool[i].v), keyPositions };
    },
    finish: () => ({ ...p, pool, refCount, seqs }),
  };
}

/**
 * The forward pass over a batch of sequences in the paged cache: idx [B, T] holds T new tokens for
 * each of `ids` (B of them, any lengths so far). Each sequence sits at its own positions and attends
 * only to its own rows (a per-sequence mask hides the padding of shorter ones). Returns a new cache
 * value; the one passed in is untouched.
 */
export function forwardPaged(
  model: GPT,
  idx: tf.Tensor2D,
  p: PagedCache,
  ids: readonly SeqId[],
  opts: ForwardOptions = {},
): ForwardResult<PagedCache> {
  const [B, T] = idx.shape;
  if (B !== ids.length) throw new RangeError(`idx has ${B} rows but ${ids.length} sequences were named`);
  if (new Set(ids).size !== ids.length) throw new RangeError('a sequence may appear only once in a batch');
  return forwardStep(model, idx, pagedStep(p, ids, T), opts);
}

export interface PoolStats {
  blockSize: number;
  numBlocks: number;
  blocksUsed: number;
  blocksFree: number;
  /** Blocks held by more than one table (prefix sharing). */
  blocksShared: number;
  /** Per sequence: its table, its length, and the blocks it would need alone. */
  sequences: { id: SeqId; table: number[]; length: number }[];
  /**
   * Positions the used blocks hold, and how many of their slots are empty (internal fragmentation, at
   * most one partial block per table).
   */
  slotsFilled: number;
  slotsWasted: number;
  /** A contiguous allocator reserving the whole context per sequence: slots reserved, and those empty. */
  contiguousReserved: number;
  contiguousWasted: number;
  /** Bytes of one position's keys and values across layers, and of the blocks in use. */
  bytesPerPosition: number;
  bytesUsed: number;
}

/** The pool's bookkeeping for a UI: no tensor data is read. */
export function poolStats(p: PagedCache): PoolStats {
  const bs = p.blockSize;
  const fill = new Array(p.numBlocks).fill(0); // positions written in each block (a shared block: by its fullest table)
  const sequences = Object.entries(p.seqs).map(([id, s]) => {
    s.table.forEach((b, j) => (fill[b] = Math.max(fill[b], Math.min(bs, s.length - j * bs))));
    return { id, table: [...s.table], length: s.length };
  });
  const blocksUsed = p.refCount.filter((n) => n > 0).length;
  const slotsFilled = fill.reduce((a, b) => a + b, 0);
  const bytesPerPosition = 2 * p.pool.length * p.rowShape[0] * p.rowShape[1] * 4;
  const lengths = sequences.reduce((a, s) => a + s.length, 0);
  return {
    blockSize: bs,
    numBlocks: p.numBlocks,
    blocksUsed,
    blocksFree: p.numBlocks - blocksUsed,
    blocksShared: p.refCount.filter((n) => n > 1).length,
    sequences,
    slotsFilled,
    slotsWasted: blocksUsed * bs - slotsFilled,
    contiguousReserved: sequences.length * p.contextLength,
    contiguousWasted: sequences.length * p.contextLength - lengths,
    bytesPerPosition,
    bytesUsed: blocksUsed * bs * bytesPerPosition,
  };
}

/** A sequence's cached keys and values read through its table, as plain arrays [layer]{k, v: [nKvHead][T][hs]}. */
export async function readSequence(p: PagedCache, id: SeqId): Promise<{ k: number[][][]; v: number[][][] }[]> {
  const s = seq(p, id);
  const [nkv, hs] = p.rowShape;
  const rows = slots(s.table, positionRange(0, s.length), p.blockSize);
  return Promise.all(
    p.pool.map(async (l) => {
      const [k, v] = tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(tf.gather(t, idx), [s.length, nkv, hs]), [1, 0, 2]); // [nkv, T, hs]
        return [heads(l.k), heads(l.v)];
      });
      try {
        return { k: (await k.array()) as number[][][], v: (await v.array()) as number[][][] };
      } finally {
        tf.dispose([k, v]);
      }
    }),
  );
}
