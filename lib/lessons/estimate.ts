/**
 * How long a run would take, from a short measured probe (lib/bench/probe.ts fits the step times):
 * lengths and sizes that would take too long are offered with this estimate instead of hidden.
 */
import { RUN_UP } from '../bench/schedule';
import { stepMs, type StepModel } from './crossover';

/** Milliseconds for one race: `tokens` naive steps and the cached run (its first step a prefill). */
export function raceEstimateMs(
  m: StepModel,
  promptLength: number,
  tokens: number,
  repeats = 1,
): { naiveMs: number; cachedMs: number; totalMs: number } {
  let naive = 0;
  let cached = 0;
  for (let i = 0; i < tokens; i++) {
    const P = promptLength + i; // positions token i + 1's step reads (lib/lessons/race-probe.ts times them so)
    naive += stepMs(m.naive, P);
    // The cached run's first step is a prefill: as costly as a naive step over the prompt.
    cached += i === 0 ? stepMs(m.naive, P) : stepMs(m.cached, P);
  }
  return { naiveMs: naive * repeats, cachedMs: cached * repeats, totalMs: (naive + cached) * repeats };
}

/**
 * Milliseconds for the bench at these positions: (warm-up + repeats) rounds of naive and cached on
 * both paths, each step after a cached run-up (lib/bench/measure's benchSchedule).
 */
export function benchEstimateMs(
  m: StepModel,
  positions: readonly number[],
  warmup: number,
  repeats: number,
  paths = 2,
  staticPath = false,
  minSampleMs = 0,
): number {
  const rounds = (warmup + repeats) * paths;
  const cachedPerRound = 1 + 2 * RUN_UP; // the timed cached step, and the run-ups before it and the naive one
  // The static path: one more cached step a round, after its own run-ups, and a second prefill per position.
  const prefills = staticPath ? 2 : 1; // setting up a position runs a prefill per cache, each about a naive step
  // A timed (or warm-up) sample lasts at least minSampleMs: back-to-back steps where the clock is coarse.
  const sample = (ms: number) => Math.max(ms, minSampleMs);
  return positions.reduce((s, P) => {
    const naive = stepMs(m.naive, P);
    const cached = stepMs(m.cached, P);
    return (
      s +
      rounds * (sample(naive) + sample(cached) + (cachedPerRound - 1) * cached) +
      (warmup + repeats) * (staticPath ? sample(cached) + RUN_UP * cached : 0) +
      prefills * naive
    );
  }, 0);
}

/** "about 3 minutes" — rounded the way a person would say it. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return 'under a second';
  if (s < 60) return `about ${Math.round(s)} second${Math.round(s) === 1 ? '' : 's'}`;
  const min = s / 60;
  if (min < 60) return `about ${Math.round(min)} minute${Math.round(min) === 1 ? '' : 's'}`;
  const h = min / 60;
  return `about ${h < 10 ? h.toFixed(1) : Math.round(h)} hours`;
}

/** Runs longer than this are offered with their estimate rather than started at a click. */
export const LONG_RUN_MS = 60_000;
