import { describe, expect, it } from 'vitest';
import { benchStepModel, crossover, raceStepModel, describeCrossover, FitError, fitLine } from '../../lib/lessons/crossover';
import { benchEstimateMs, formatDuration, raceEstimateMs } from '../../lib/lessons/estimate';
import { RUN_UP } from '../../lib/bench/schedule';
import { MODEL_SIZES, parseSize, presetParams, SizeError, SIZE_PRESETS } from '../../lib/lessons/sizes';
import { ModelMemoryError, timingModel, timingModelBytes } from '../../lib/gpt/timing-model';
import { flatness, spread } from '../../lib/bench/stats';
import { probePositions } from '../../lib/lessons/race-probe';

describe('fitLine', () => {
  it('recovers an exact line', () => {
    const f = fitLine([
      { x: 16, y: 2 + 0.5 * 16 },
      { x: 64, y: 2 + 0.5 * 64 },
      { x: 255, y: 2 + 0.5 * 255 },
    ]);
    expect(f.intercept).toBeCloseTo(2, 9);
    expect(f.slope).toBeCloseTo(0.5, 9);
  });
  it('refuses a single position', () => {
    expect(() =>
      fitLine([
        { x: 16, y: 1 },
        { x: 16, y: 2 },
      ]),
    ).toThrow(FitError);
  });
});

describe('crossover', () => {
  it('puts the arithmetic-outweighs point at fixed / perPosition', () => {
    const x = crossover({ naive: { intercept: 4, slope: 0.02 }, cached: { intercept: 3, slope: 0.001 } });
    expect(x.arithmeticOutweighsAt).toBe(200);
    // 4 + 0.02P = 2(3 + 0.001P) → P = 2 / 0.018 = 111.1 → 112
    expect(x.naiveTwiceCachedAt).toBe(112);
  });
  it('says null when the naive step does not grow, and 1 when there is no fixed part', () => {
    expect(crossover({ naive: { intercept: 4, slope: 0 }, cached: { intercept: 3, slope: 0 } }).arithmeticOutweighsAt).toBeNull();
    expect(crossover({ naive: { intercept: -1, slope: 0.1 }, cached: { intercept: 1, slope: 0 } }).arithmeticOutweighsAt).toBe(1);
    expect(crossover({ naive: { intercept: 4, slope: 0.001 }, cached: { intercept: 3, slope: 0.001 } }).naiveTwiceCachedAt).toBeNull();
  });
  it("fits a bench run's own medians for one path, and names what was timed", () => {
    const rows = [
      { position: 16, path: 'reference', naiveMs: 11, cachedMs: 6 },
      { position: 16, path: 'fast', naiveMs: 4.2, cachedMs: 1 },
      { position: 64, path: 'reference', naiveMs: 26, cachedMs: 6 },
      { position: 64, path: 'fast', naiveMs: 7.4, cachedMs: 1.4 },
    ];
    const fit = benchStepModel(rows, 'fast')!;
    expect(fit.naive.slope).toBeCloseTo(3.2 / 48, 10);
    expect(fit.naive.intercept).toBeCloseTo(4.2 - 16 * (3.2 / 48), 10);
    expect(fit.cached.slope).toBeCloseTo(0.4 / 48, 10);
    expect(benchStepModel(rows.slice(0, 2), 'fast')).toBeNull(); // one position: no line
    const text = describeCrossover(crossover(fit), 256, 'austen', 'a naive step on the fast path');
    expect(text).toMatch(
      /^On this device, with the austen model, a naive step on the fast path costs about 3\.1 ms fixed plus 66\.7 µs per position\./,
    );
  });
  it('describes a crossover beyond the context as such', () => {
    const text = describeCrossover(crossover({ naive: { intercept: 10, slope: 0.01 }, cached: { intercept: 9, slope: 0 } }), 256, 'austen');
    expect(text).toContain('past position 1000');
    expect(text).toContain('context of 256');
  });
});

describe('estimates', () => {
  const m = { naive: { intercept: 1, slope: 0.1 }, cached: { intercept: 1, slope: 0 } };
  it('sums the fitted steps of a race, the cached run starting with a prefill', () => {
    const r = raceEstimateMs(m, 10, 3, 2);
    // token n reads 10 + n − 1 positions. naive: 10, 11, 12 → 2.0 + 2.1 + 2.2 = 6.3; cached: prefill 2.0 + 1 + 1 = 4.0
    expect(r.naiveMs).toBeCloseTo(12.6, 9);
    expect(r.cachedMs).toBeCloseTo(8.0, 9);
    expect(r.totalMs).toBeCloseTo(20.6, 9);
  });
  it('counts warm-ups, repeats, both paths, the run-ups and one prefill per position in the bench', () => {
    // P = 10: naive 2, cached 1; a round per path: naive + cached + 2 × RUN_UP cached run-ups;
    // rounds (1 + 2)·2 = 6, plus prefill 2 (RUN_UP = 24: 6 × 51 + 2 = 308)
    const plain = 6 * (2 + 1 + 2 * RUN_UP) + 2;
    expect(RUN_UP).toBe(24);
    expect(benchEstimateMs(m, [10], 1, 2)).toBeCloseTo(plain, 9);
    // With the static path: a third cached step a round after its RUN_UP run-ups (3 rounds × 25 = 75)
    // and a second prefill (2): 308 + 75 + 2
    const withStatic = plain + 3 * (1 + RUN_UP) + 2;
    expect(benchEstimateMs(m, [10], 1, 2, 2, true)).toBeCloseTo(withStatic, 9);
    // A coarse clock's 1.5 ms samples: each timed cached step (1 ms) costs 1.5, the naive ones (2 ms) and
    // the run-ups stay: 6 rounds × 0.5 more; the static path's timed cached step too, 3 × 0.5
    expect(benchEstimateMs(m, [10], 1, 2, 2, false, 1.5)).toBeCloseTo(plain + 3, 9);
    expect(benchEstimateMs(m, [10], 1, 2, 2, true, 1.5)).toBeCloseTo(withStatic + 3 + 1.5, 9);
  });
  it('formats durations the way a person says them', () => {
    expect(formatDuration(400)).toBe('under a second');
    expect(formatDuration(40_000)).toBe('about 40 seconds');
    expect(formatDuration(185_000)).toBe('about 3 minutes');
    expect(formatDuration(2.5 * 3600_000)).toBe('about 2.5 hours');
  });
});

describe('sizes and timing models', () => {
  it('has austen and two timing models of ~10M and ~85M parameters with a context of 1,024', () => {
    expect(MODEL_SIZES).toEqual(['austen', '10m', '85m']);
    expect(presetParams('10m')).toBeGreaterThan(9e6);
    expect(presetParams('10m')).toBeLessThan(13e6);
    expect(presetParams('85m')).toBeGreaterThan(80e6);
    expect(presetParams('85m')).toBeLessThan(90e6);
    expect(SIZE_PRESETS['85m'].config!.blockSize).toBe(1024);
    expect(parseSize(' 10M ')).toBe('10m');
    expect(() => parseSize('1b')).toThrow(SizeError);
  });
  it('refuses before allocating when the memory is short, naming both amounts', () => {
    const c = SIZE_PRESETS['85m'].config!;
    const need = timingModelBytes(c);
    expect(need).toBeGreaterThan(86e6 * 4);
    expect(() => timingModel(c, 1, { bytes: need - 1, source: 'the test' })).toThrow(ModelMemoryError);
    try {
      timingModel(c, 1, { bytes: 100 * 2 ** 20, source: 'the test' });
    } catch (e) {
      expect((e as Error).message).toMatch(/needs about \d+ MiB but the test offers 100 MiB/);
    }
  });
});

describe('bench spread and flatness', () => {
  it('claims a flatness ratio only where the interquartile ranges do not overlap', () => {
    const short = spread([1, 1.1, 1.2, 1.3, 1.4]);
    expect(flatness(spread([1.1, 1.2, 1.3, 1.4, 1.5]), short).beyondSpread).toBe(false);
    const f = flatness(spread([2, 2.1, 2.2, 2.3, 2.4]), short);
    expect(f.beyondSpread).toBe(true);
    expect(f.ratio).toBeCloseTo(2.2 / 1.2, 9);
    expect(f.lo).toBeCloseTo(2.1 / 1.3, 9);
  });
});

describe("the race's probe positions", () => {
  it('are the first decode step and the last step, inside the context, and always two', () => {
    expect(probePositions(1024, 8, 4)).toEqual([9, 12]);
    expect(probePositions(1024, 8, 1017)).toEqual([9, 1024]);
    expect(probePositions(256, 255, 2)).toEqual([255, 256]);
    expect(probePositions(256, 1, 1)).toEqual([2, 3]);
  });
});

describe('a race read as two lines', () => {
  // naive 2 + 0.1·P, cached 1 + 0.001·P, prompt of 5 tokens: token n reads 4 + n positions.
  const rows = [1, 2, 3, 4, 5].map((token) => ({
    token,
    naiveMs: token === 1 ? 50 : 2 + 0.1 * (4 + token),
    cachedMs: token === 1 ? 99 : 1 + 0.001 * (4 + token),
  }));
  it('fits both generators from the decode steps, the prefill (token 1) left out of both lines', () => {
    const m = raceStepModel(rows, 5)!;
    expect(m.naive.intercept).toBeCloseTo(2, 9);
    expect(m.naive.slope).toBeCloseTo(0.1, 9);
    expect(m.cached.intercept).toBeCloseTo(1, 9);
    expect(m.cached.slope).toBeCloseTo(0.001, 9);
  });
  it('leaves out the skipped tokens, and gives up without two positions per line', () => {
    const spiked = rows.map((r) => (r.token === 4 ? { ...r, naiveMs: 500 } : r));
    expect(raceStepModel(spiked, 5, [4])!.naive.slope).toBeCloseTo(0.1, 9);
    expect(raceStepModel(rows.slice(0, 2), 5)).toBeNull(); // one decode step: one position
  });
});

describe('a fit with no fixed part', () => {
  it('never quotes a negative fixed cost', () => {
    const text = describeCrossover(
      crossover({ naive: { intercept: -0.3, slope: 0.2 }, cached: { intercept: 1, slope: 0 } }),
      256,
      'austen',
    );
    expect(text).not.toContain('-0.3');
    expect(text).toContain('200.0 µs per position, with no fixed part we could measure');
    expect(text).toContain('from about position 1;');
  });
});
