import { describe, expect, it } from 'vitest';
import { clockInfo, clockTickMs, FINE_TICK_MS, minSampleMsFor, TICKS_PER_SAMPLE } from '../../lib/bench/clock';

/** A clock that reads `tick`-wide steps, advancing one step every `callsPerTick` readings. */
function steppedClock(tick: number, callsPerTick: number) {
  let calls = 0;
  return () => Math.floor(calls++ / callsPerTick) * tick;
}

describe('the clock the bench reads', () => {
  it('finds a coarse browser tick and asks for samples of twenty ticks', () => {
    const tick = clockTickMs(31, steppedClock(0.1, 7));
    expect(tick).toBeCloseTo(0.1, 12);
    expect(minSampleMsFor(tick)).toBeCloseTo(TICKS_PER_SAMPLE * 0.1, 12);
  });

  it("times one step per sample on Node's fine clock", () => {
    const info = clockInfo();
    expect(info.tickMs).toBeGreaterThan(0);
    expect(info.tickMs).toBeLessThanOrEqual(FINE_TICK_MS);
    expect(info.minSampleMs).toBe(0);
    expect(minSampleMsFor(FINE_TICK_MS)).toBe(0);
  });

  it('gives up on a clock that never moves instead of spinning forever', () => {
    expect(clockTickMs(3, () => 42)).toBe(0);
  });
});
