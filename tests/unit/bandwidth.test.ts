import { describe, expect, it } from 'vitest';
import { copyBandwidth, fastestOf, MAX_PROBE_BYTES, readBandwidths, readBandwidthsYielding } from '../../lib/bench/bandwidth';
import { bandwidthBoundMs, stepBytes } from '../../lib/bench/results';
import { cacheBytesFor } from '../../lib/gpt/kvcache';
import { countParams } from '../../lib/gpt/params';
import { tinyConfig } from './gpt-helpers';

describe('the bound’s memory rate', () => {
  it('reads a buffer the size of a step’s bytes with SIMD WebAssembly, and says so', () => {
    const c = tinyConfig();
    const bytes = stepBytes(c, 64);
    expect(bytes).toBe(countParams(c) * 4 + cacheBytesFor(c, 64));
    const bw = readBandwidths(3, [{ position: 64, bytes }]);
    expect(bw.method).toMatch(/^SIMD WebAssembly read of [\d.]+ MB/);
    // Somewhere between a slow disk and the fastest caches: a rate, not a constant.
    expect(bw.bytesPerSecond).toBeGreaterThan(1e8);
    expect(bw.bytesPerSecond).toBeLessThan(1e13);
    expect(bandwidthBoundMs(c, 64, bw.bytesPerSecond)).toBeCloseTo((bytes / bw.bytesPerSecond) * 1000, 9);
  });

  it('stops growing the buffer at MAX_PROBE_BYTES', () => {
    const bw = readBandwidths(1, [{ position: 0, bytes: 10 * MAX_PROBE_BYTES }]);
    expect(bw.method).toContain(`read of ${MAX_PROBE_BYTES / 2 ** 20} MB`);
  });

  it('probes each position over its own step bytes from one buffer, and keeps the fastest of several probes', () => {
    const c = tinyConfig();
    const sizes = [8, 64].map((P) => ({ position: P, bytes: stepBytes(c, P) }));
    const a = readBandwidths(3, sizes);
    expect(a.perPosition.map((r) => [r.position, r.bytes])).toEqual(sizes.map((s) => [s.position, s.bytes]));
    for (const r of a.perPosition) expect(r.bytesPerSecond).toBeGreaterThan(1e8);
    expect(a.bytesPerSecond).toBe(a.perPosition[1].bytesPerSecond); // the longest position's, for older readers
    expect(a.method).toMatch(/^SIMD WebAssembly read of as many bytes as a cached step at each position reads \([\d.]+–[\d.]+ MB\)/);
    const slower = { ...a, perPosition: a.perPosition.map((r) => ({ ...r, bytesPerSecond: r.bytesPerSecond / 2 })) };
    const mixed = { ...a, perPosition: [a.perPosition[0], slower.perPosition[1]] };
    // Position 8's best rate in the first probe, position 64's in the third (a phase mid-run): both kept.
    const best = fastestOf(
      [mixed, slower, { ...slower, perPosition: [slower.perPosition[0], a.perPosition[1]] }],
      'before, during and after',
    );
    expect(best.perPosition.map((r) => r.bytesPerSecond)).toEqual(a.perPosition.map((r) => r.bytesPerSecond));
    expect(best.bytesPerSecond).toBe(a.perPosition[1].bytesPerSecond);
    expect(best.method).toBe(`${mixed.method}; before, during and after`);
    expect(fastestOf([slower], 'one').perPosition).toEqual(slower.perPosition);
    expect(() => fastestOf([], 'none')).toThrow(/at least one probe/);
    expect(() => readBandwidths(1, [])).toThrow(/at least one size/);
  });

  it('makes each sample last at least minSampleMs, as on a browser clock that ticks every 0.1 ms', () => {
    const sizes = [{ position: 1, bytes: 2 ** 16 }]; // a pass takes microseconds
    const t0 = performance.now();
    const bw = readBandwidths(2, sizes, 5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 5); // 2 warm-ups + 2 samples, each ≥ 5 ms
    expect(bw.perPosition[0].bytesPerSecond).toBeGreaterThan(1e8); // a rate per pass, not per sample
  });

  it('can pause after each size, so a page running the model on its own thread repaints between them', async () => {
    const c = tinyConfig();
    const sizes = [8, 32, 64].map((P) => ({ position: P, bytes: stepBytes(c, P) }));
    let pauses = 0;
    const bw = await readBandwidthsYielding(2, sizes, async () => void pauses++);
    expect(pauses).toBe(3);
    expect(bw.perPosition.map((r) => r.position)).toEqual([8, 32, 64]);
    expect(bw.method).toContain('as many bytes as a cached step at each position reads');
  });

  it('keeps the copy rate (read + written) for comparison', () => {
    expect(copyBandwidth(2, 2 ** 20)).toBeGreaterThan(1e8);
  });
});
