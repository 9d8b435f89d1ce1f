/**
 * How finely this environment's clock ticks, and how long a bench sample must last for it. Browsers
 * coarsen `performance.now()` outside cross-origin isolation (Chrome and Firefox to 0.1 ms, with
 * jitter), which this lab's static pages cannot request; Node's clock ticks in well under a microsecond.
 */
import { median } from '../stats';

/** A sample should span this many ticks: each reading is then off by at most a few percent. */
export const TICKS_PER_SAMPLE = 20;

/** Below this tick, one step is timed alone (Node, cross-origin-isolated pages). */
export const FINE_TICK_MS = 0.005;

/**
 * The clock's tick: the median gap between consecutive distinct `performance.now()` readings, over
 * `samples` gaps. Spins for at most `samples` ticks (20 ms at 0.1 ms), so call it off the UI thread.
 */
export function clockTickMs(samples = 101, now: () => number = () => performance.now()): number {
  const gaps: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = now();
    let b = now();
    for (let spins = 0; b === a && spins < 1e7; spins++) b = now();
    if (b > a) gaps.push(b - a);
  }
  return gaps.length ? median(gaps) : 0;
}

/** The shortest sample the bench takes on a clock of this tick: 0 (one step timed alone) where the clock is fine. */
export function minSampleMsFor(tickMs: number): number {
  return tickMs > FINE_TICK_MS ? TICKS_PER_SAMPLE * tickMs : 0;
}

/** What a results file records about the clock. */
export interface ClockInfo {
  tickMs: number;
  minSampleMs: number;
}

export function clockInfo(tickMs = clockTickMs()): ClockInfo {
  return { tickMs, minSampleMs: minSampleMsFor(tickMs) };
}
