import { median, quantile } from '../stats';

/** A list of timings as the bench prints it: the median with its spread. */
export interface Spread {
  median: number;
  /** Interquartile range: the middle half of the samples lies in [q25, q75]. */
  q25: number;
  q75: number;
  min: number;
  max: number;
  n: number;
}

export function spread(ms: readonly number[]): Spread {
  return { median: median(ms), q25: quantile(ms, 0.25), q75: quantile(ms, 0.75), min: Math.min(...ms), max: Math.max(...ms), n: ms.length };
}

/**
 * How much slower a step is at a long position than at a short one (1 = perfectly flat), and
 * whether that exceeds the noise: the ratio is only reported when the two interquartile ranges do
 * not overlap. `lo`–`hi` is the ratio's range across those ranges.
 */
export interface Flatness {
  ratio: number;
  lo: number;
  hi: number;
  /** False when the two middle halves overlap: the difference is within the spread, so no ratio is claimed. */
  beyondSpread: boolean;
}

export function flatness(long: Spread, short: Spread): Flatness {
  return {
    ratio: long.median / short.median,
    lo: long.q25 / short.q75,
    hi: long.q75 / short.q25,
    beyondSpread: long.q25 > short.q75 || long.q75 < short.q25,
  };
}
