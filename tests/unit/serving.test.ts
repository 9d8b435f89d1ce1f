import { describe, expect, it } from 'vitest';
import { findPreset } from '@/lib/lessons/cache-size';
import { readClaim, servingCapacity } from '@/lib/lessons/serving';
import {
  appendPositions,
  blocksNeeded,
  contiguousUse,
  createPool,
  freeTable,
  OutOfBlocksError,
  poolStats,
  sessionsThatFit,
  sharePrefix,
  type BlockTable,
} from '@/lib/lessons/block-pool';

const llama70 = findPreset('llama-3.1-70b')!.layout;

describe('sessions per GPU, by hand', () => {
  it('Llama 3.1 70B, bf16 cache, int4 weights (35.3 GB) on 80 GB at 0.9: 27 reserved at 4,096 against 111 paged at 1,000', () => {
    const r = servingCapacity({ layout: llama70, kvDtype: 'bf16', gpuBytes: 80e9, utilization: 0.9, weightBytes: 35.3e9, maxContext: 4096, meanLength: 1000, blockSize: 16 });
    expect(r.bytesPerToken).toBe(327_680); // 2·80·8·128·2
    expect(r.freeBytes).toBeCloseTo(36.7e9, -3);
    expect(r.contiguous.bytesPerSession).toBe(4096 * 327_680); // 1.342 GB
    expect(r.contiguous.sessions).toBe(27); // 36.7e9 / 1.342e9 = 27.3
    expect(r.paged.blocksPerSession).toBe(63); // ⌈1000/16⌉
    expect(r.paged.bytesPerSession).toBe(63 * 16 * 327_680);
    expect(r.paged.sessions).toBe(111); // 36.7e9 / 330.3e6 = 111.1
    expect(r.lines[1]).toContain('= 27');
    expect(r.lines[2]).toContain('= 111');
  });

  it('weights that do not fit leave no sessions at all', () => {
    const r = servingCapacity({ layout: llama70, kvDtype: 'bf16', gpuBytes: 80e9, utilization: 0.9, weightBytes: 141.2e9, maxContext: 4096, meanLength: 1000, blockSize: 16 });
    expect(r.freeBytes).toBeLessThan(0);
    expect(r.contiguous.sessions).toBe(0);
    expect(r.paged.sessions).toBe(0);
  });

  it('rejects a mean length above the reservation and a utilization above 1', () => {
    const base = { layout: llama70, kvDtype: 'bf16' as const, gpuBytes: 80e9, utilization: 0.9, weightBytes: 35e9, maxContext: 4096, meanLength: 1000, blockSize: 16 };
    expect(() => servingCapacity({ ...base, meanLength: 5000 })).toThrow(/mean length/);
    expect(() => servingCapacity({ ...base, utilization: 1.5 })).toThrow(/utilization/);
  });

  it('38 → 52 implies sessions 73% full, and free memory 51.0–52.3 GB for a 4,096 reservation at 327,680 bytes a token', () => {
    const c = readClaim(38, 52, 4096, 327_680);
    expect(c.impliedUsedShare).toBeCloseTo(0.7308, 4);
    expect(c.impliedMeanLength).toBeCloseTo(2993.2, 1);
    expect(c.impliedFreeBytes[0]).toBe(38 * 4096 * 327_680);
    expect(c.impliedFreeBytes[1]).toBe(39 * 4096 * 327_680);
  });
});

describe('block pool and block tables', () => {
  it('a table takes one block per 16 positions, lowest free ids first, and gives them back', () => {
    const pool = createPool(8, 16);
    const a: BlockTable = { blocks: [], length: 0 };
    appendPositions(pool, a, 17);
    expect(a.blocks).toEqual([0, 1]);
    expect(poolStats(pool)).toEqual({ used: 2, free: 6, shared: 0, emptySlots: 15 });
    for (let i = 0; i < 15; i++) appendPositions(pool, a, 1);
    expect(a.blocks).toEqual([0, 1]);
    appendPositions(pool, a, 1);
    expect(a.blocks).toEqual([0, 1, 2]);
    freeTable(pool, a);
    expect(poolStats(pool).used).toBe(0);
    expect(pool.free).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs out all or nothing: a failed append changes nothing', () => {
    const pool = createPool(2, 16);
    const a: BlockTable = { blocks: [], length: 0 };
    appendPositions(pool, a, 20);
    expect(() => appendPositions(pool, a, 20)).toThrow(OutOfBlocksError);
    expect(a).toEqual({ blocks: [0, 1], length: 20 });
    expect(poolStats(pool).free).toBe(0);
  });

  it('a shared prefix points at the same blocks; the first write into a shared partial block copies it', () => {
    const pool = createPool(16, 16);
    const prefix: BlockTable = { blocks: [], length: 0 };
    appendPositions(pool, prefix, 40); // blocks 0, 1 full, block 2 holds 8
    const b = sharePrefix(pool, prefix);
    const c = sharePrefix(pool, prefix);
    expect(b.blocks).toEqual([0, 1, 2]);
    expect(pool.refs.slice(0, 3)).toEqual([3, 3, 3]);
    expect(blocksNeeded(pool, b, 1)).toBe(1); // the copy
    const copies = appendPositions(pool, b, 1);
    expect(copies).toEqual([{ from: 2, to: 3, positions: 8 }]);
    expect(b.blocks).toEqual([0, 1, 3]);
    expect(pool.refs.slice(0, 4)).toEqual([3, 3, 2, 1]);
    appendPositions(pool, c, 1);
    expect(c.blocks).toEqual([0, 1, 4]);
    expect(poolStats(pool)).toMatchObject({ used: 5, shared: 2 }) // blocks 0 and 1; block 2 is the prefix's alone now;
    freeTable(pool, prefix);
    expect(pool.refs.slice(0, 5)).toEqual([2, 2, 0, 1, 1]); // block 2 had no one left
  });

  it('sharing a prefix that ends on a block boundary copies nothing', () => {
    const pool = createPool(8, 16);
    const prefix: BlockTable = { blocks: [], length: 0 };
    appendPositions(pool, prefix, 32);
    const b = sharePrefix(pool, prefix);
    expect(appendPositions(pool, b, 5)).toEqual([]);
    expect(b.blocks).toEqual([0, 1, 2]);
  });

  it('the contiguous allocator reserves the whole context: waste is reserve − length each', () => {
    expect(contiguousUse([20, 100], 256, 16)).toEqual({ blocks: 32, wastedPositions: 236 + 156 });
    expect(sessionsThatFit([40, 40, 40, 40, 40, 40], 48, 16, 256)).toEqual({ contiguous: 3, paged: 6 });
    expect(sessionsThatFit([200, 200, 200], 30, 16, 256)).toEqual({ contiguous: 1, paged: 2 });
  });
});
