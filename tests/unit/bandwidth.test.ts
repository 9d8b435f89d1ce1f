import { describe, expect, it } from 'vitest';
import { copyBandwidth, MAX_PROBE_BYTES, readBandwidth } from '../../lib/bench/bandwidth';
import { bandwidthBoundMs, stepBytes } from '../../lib/bench/results';
import { cacheBytesFor } from '../../lib/gpt/kvcache';
import { countParams } from '../../lib/gpt/params';
import { tinyConfig } from './gpt-helpers';

describe('the bound’s memory rate', () => {
  it('reads a buffer the size of a step’s bytes with SIMD WebAssembly, and says so', () => {
    const c = tinyConfig();
    const bytes = stepBytes(c, 64);
    expect(bytes).toBe(countParams(c) * 4 + cacheBytesFor(c, 64));
    const bw = readBandwidth(3, bytes);
    expect(bw.method).toMatch(/^SIMD WebAssembly read of [\d.]+ MB/);
    // Somewhere between a slow disk and the fastest caches: a rate, not a constant.
    expect(bw.bytesPerSecond).toBeGreaterThan(1e8);
    expect(bw.bytesPerSecond).toBeLessThan(1e13);
    expect(bandwidthBoundMs(c, 64, bw.bytesPerSecond)).toBeCloseTo((bytes / bw.bytesPerSecond) * 1000, 9);
  });

  it('stops growing the buffer at MAX_PROBE_BYTES', () => {
    const bw = readBandwidth(1, 10 * MAX_PROBE_BYTES);
    expect(bw.method).toContain(`read of ${MAX_PROBE_BYTES / 2 ** 20} MB`);
  });

  it('keeps the copy rate (read + written) for comparison', () => {
    expect(copyBandwidth(2, 2 ** 20)).toBeGreaterThan(1e8);
  });
});
