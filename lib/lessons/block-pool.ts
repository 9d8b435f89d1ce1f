/**
 * A block pool and block tables, the bookkeeping of a paged KV cache (vLLM's block manager): the
 * cache memory is cut into blocks of `blockSize` positions; each sequence holds a table of block ids,
 * one per `blockSize` of its positions; blocks are reference counted so sequences that share a
 * prefix point at the same blocks, and a shared block is copied the first time one of its
 * sequences writes into it (copy-on-write). Plain numbers only: the tensors live in the engine.
 */

export class OutOfBlocksError extends Error {
  override name = 'OutOfBlocksError';
}

export interface BlockPool {
  readonly blockSize: number;
  readonly numBlocks: number;
  /** refs[b]: sequences pointing at block b (0 = free). */
  readonly refs: number[];
  /** filled[b]: positions written into block b. */
  readonly filled: number[];
  /** Free block ids; the next allocation takes the lowest. */
  readonly free: number[];
}

/** A sequence's view of the pool: its block table and how many positions it holds. */
export interface BlockTable {
  blocks: number[];
  length: number;
}

/** A block copied because a sequence wrote into a block it shared (copy-on-write). */
export interface BlockCopy {
  from: number;
  to: number;
  /** Positions copied (the filled part of the shared block). */
  positions: number;
}

export function createPool(numBlocks: number, blockSize: number): BlockPool {
  if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new RangeError(`the pool needs at least one block, got ${numBlocks}`);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  return {
    blockSize,
    numBlocks,
    refs: Array.from({ length: numBlocks }, () => 0),
    filled: Array.from({ length: numBlocks }, () => 0),
    free: Array.from({ length: numBlocks }, (_, i) => i),
  };
}

function allocate(pool: BlockPool): number {
  if (pool.free.length === 0) throw new OutOfBlocksError(`all ${pool.numBlocks} blocks are in use`);
  const b = pool.free.shift()!;
  pool.refs[b] = 1;
  pool.filled[b] = 0;
  return b;
}

function release(pool: BlockPool, b: number): void {
  pool.refs[b] -= 1;
  if (pool.refs[b] > 0) return;
  pool.filled[b] = 0;
  const at = pool.free.findIndex((f) => f > b); // keep the free list sorted: lowest ids first
  pool.free.splice(at < 0 ? pool.free.length : at, 0, b);
}

/** Blocks `n` more positions would take from the pool for this table (new blocks plus a copy-on-write). */
export function blocksNeeded(pool: BlockPool, table: BlockTable, n: number): number {
  const bs = pool.blockSize;
  const fresh = Math.ceil((table.length + n) / bs) - table.blocks.length;
  const last = table.blocks[table.blocks.length - 1];
  const cow = n > 0 && table.length % bs !== 0 && pool.refs[last] > 1 ? 1 : 0;
  return Math.max(0, fresh) + cow;
}

/**
 * Writes `n` more positions for a sequence: fills its last block, copies it first if it is shared,
 * and takes new blocks as needed. All or nothing: throws OutOfBlocksError (changing nothing) when the
 * pool cannot hold them. Returns the copies made.
 */
export function appendPositions(pool: BlockPool, table: BlockTable, n: number): BlockCopy[] {
  if (blocksNeeded(pool, table, n) > pool.free.length) {
    throw new OutOfBlocksError(`${n} more positions need ${blocksNeeded(pool, table, n)} blocks; ${pool.free.length} are free`);
  }
  const bs = pool.blockSize;
  const copies: BlockCopy[] = [];
  let left = n;
  while (left > 0) {
    const slot = table.length % bs;
    if (slot === 0) table.blocks.push(allocate(pool));
    let b = table.blocks[table.blocks.length - 1];
    if (pool.refs[b] > 1) {
      // Another sequence still reads this block as it is: write into a private copy instead.
      const copy = allocate(pool);
      pool.filled[copy] = pool.filled[b];
      copies.push({ from: b, to: copy, positions: pool.filled[b] });
      release(pool, b);
      table.blocks[table.blocks.length - 1] = copy;
      b = copy;
    }
    const k = Math.min(left, bs - slot);
    pool.filled[b] = slot + k;
    table.length += k;
    left -= k;
  }
  return copies;
}

/** A new sequence sharing the first `length` positions of `table` (a common prefix): its blocks gain one reference each. */
export function sharePrefix(pool: BlockPool, table: BlockTable, length = table.length): BlockTable {
  if (length > table.length || length < 0) throw new RangeError(`cannot share ${length} positions of a ${table.length}-position sequence`);
  const blocks = table.blocks.slice(0, Math.ceil(length / pool.blockSize));
  for (const b of blocks) pool.refs[b] += 1;
  return { blocks, length };
}

/** Gives a sequence's blocks back (each loses one reference; a block nobody holds is free again). */
export function freeTable(pool: BlockPool, table: BlockTable): void {
  for (const b of table.blocks) release(pool, b);
  table.blocks = [];
  table.length = 0;
}

export interface PoolStats {
  used: number;
  free: number;
  /** Blocks held by more than one sequence. */
  shared: number;
  /** Positions allocated in used blocks but not written (the paged allocator's waste: under one block per sequence). */
  emptySlots: number;
}

export function poolStats(pool: BlockPool): PoolStats {
  let used = 0;
  let shared = 0;
  let emptySlots = 0;
  pool.refs.forEach((r, b) => {
    if (r === 0) return;
    used += 1;
    if (r > 1) shared += 1;
    emptySlots += pool.blockSize - pool.filled[b];
  });
  return { used, free: pool.free.length, shared, emptySlots };
}

/**
 * The contiguous allocator on the same memory: every session reserves `reserve` positions up front.
 * Returns the blocks' worth it holds and the positions reserved but unused (internal fragmentation).
 */
export function contiguousUse(lengths: readonly number[], reserve: number, blockSize: number): { blocks: number; wastedPositions: number } {
  const blocksEach = Math.ceil(reserve / blockSize);
  return {
    blocks: lengths.length * blocksEach,
    wastedPositions: lengths.reduce((w, len) => w + blocksEach * blockSize - len, 0),
  };
}

/** Sessions of these lengths admitted in order until the next would not fit in `numBlocks`: contiguous (reserve each) and paged (blocks by length). */
export function sessionsThatFit(lengths: readonly number[], numBlocks: number, blockSize: number, reserve: number): { contiguous: number; paged: number } {
  const contiguous = Math.min(lengths.length, Math.floor(numBlocks / Math.ceil(reserve / blockSize)));
  let used = 0;
  let paged = 0;
  for (const len of lengths) {
    used += Math.ceil(len / blockSize);
    if (used > numBlocks) break;
    paged += 1;
  }
  return { contiguous, paged };
}
