import { describe, expect, it } from 'vitest';
import { findPreset } from '@/lib/lessons/cache-size';
import { readClaim, servingCapacity } from '@/lib/lessons/serving';

const llama70 = findPreset('llama-3.1-70b')!.layout;

describe('sessions per GPU, by hand', () => {
  it('Llama 3.1 70B, bf16 cache, int4 weights (35.3 GB) on 80 GB at 0.9: 27 reserved at 4,096 against 111 paged at 1,000', () => {
    const r = servingCapacity({
      layout: llama70,
      kvDtype: 'bf16',
      gpuBytes: 80e9,
      utilization: 0.9,
      weightBytes: 35.3e9,
      maxContext: 4096,
      meanLength: 1000,
      blockSize: 16,
    });
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
    const r = servingCapacity({
      layout: llama70,
      kvDtype: 'bf16',
      gpuBytes: 80e9,
      utilization: 0.9,
      weightBytes: 141.2e9,
      maxContext: 4096,
      meanLength: 1000,
      blockSize: 16,
    });
    expect(r.freeBytes).toBeLessThan(0);
    expect(r.contiguous.sessions).toBe(0);
    expect(r.paged.sessions).toBe(0);
  });

  it('rejects a mean length above the reservation and a utilization above 1', () => {
    const base = {
      layout: llama70,
      kvDtype: 'bf16' as const,
      gpuBytes: 80e9,
      utilization: 0.9,
      weightBytes: 35e9,
      maxContext: 4096,
      meanLength: 1000,
      blockSize: 16,
    };
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
