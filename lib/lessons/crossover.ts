/**
 * Reading the learner's own step times: a naive step costs a fixed part (dispatch, readback, the
 * per-token work) plus a part that grows with the positions it re-reads; a cached step grows far more
 * slowly. Fitting ms ≈ fixed + perPosition · P to measured steps says where, on this device, the
 * naive step's arithmetic starts to outweigh its fixed cost — the point past which the cache's win
 * grows with every token. Plain numbers in and out, no tfjs.
 */

/** ms = intercept + slope · P, fitted to measured steps. */
export interface LineFit {
  intercept: number;
  slope: number;
}

export interface Point {
  /** Position (tokens the step attends over). */
  x: number;
  /** Milliseconds for one step there. */
  y: number;
}

export class FitError extends Error {
  override name = 'FitError';
}

/** Least-squares line through the points; needs at least two different positions. */
export function fitLine(points: readonly Point[]): LineFit {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (n < 2 || sxx === 0) throw new FitError('a line needs step times at two or more different positions');
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Fitted step times of both generators on one device, one model size. */
export interface StepModel {
  naive: LineFit;
  cached: LineFit;
}

export const stepMs = (f: LineFit, P: number) => Math.max(0, f.intercept + f.slope * P);

export interface Crossover {
  /** The naive step's fixed cost (ms) and its cost per position (ms). */
  fixedMs: number;
  perPositionMs: number;
  /**
   * The position where the naive step's growing part equals its fixed part (fixed / perPosition):
   * 1 when the fit has no fixed part left, null when the naive step did not grow measurably.
   */
  arithmeticOutweighsAt: number | null;
  /** Where the fitted naive step takes twice the cached one; null if the lines never get there. */
  naiveTwiceCachedAt: number | null;
}

export function crossover(m: StepModel): Crossover {
  const { intercept: a, slope: b } = m.naive;
  const { intercept: c, slope: d } = m.cached;
  const arithmeticOutweighsAt = b <= 0 ? null : a <= 0 ? 1 : Math.max(1, Math.ceil(a / b));
  // a + b·P = 2·(c + d·P)  ⇔  P = (2c − a) / (b − 2d)
  let twice: number | null = null;
  if (b > 2 * d) twice = Math.max(1, Math.ceil((2 * c - a) / (b - 2 * d)));
  else if (a >= 2 * c) twice = 1;
  return { fixedMs: a, perPositionMs: b, arithmeticOutweighsAt, naiveTwiceCachedAt: twice };
}

/**
 * One sentence for the race lesson (or the bench page), built only from the fitted numbers.
 * `step` names what was timed: the race times the readable model, the bench page its fast path.
 */
export function describeCrossover(x: Crossover, blockSize: number, sizeLabel: string, step = 'a naive step'): string {
  const fixed = `${x.fixedMs.toFixed(1)} ms`;
  const per = x.perPositionMs >= 1 ? `${x.perPositionMs.toFixed(2)} ms` : `${(x.perPositionMs * 1000).toFixed(1)} µs`;
  // A fit through noisy steps can put the intercept below zero: that says no fixed part was measurable.
  const head =
    x.fixedMs > 0
      ? `On this device, with the ${sizeLabel} model, ${step} costs about ${fixed} fixed plus ${per} per position.`
      : `On this device, with the ${sizeLabel} model, ${step} costs about ${per} per position, with no fixed part we could measure.`;
  if (x.arithmeticOutweighsAt === null)
    return `${head} Its time did not grow measurably with the positions, so the fixed cost dominates everywhere we measured.`;
  const at = x.arithmeticOutweighsAt;
  const where = at <= blockSize ? `from about position ${at}` : `only past position ${at}, beyond this model's context of ${blockSize}`;
  return `${head} Re-reading the sequence outweighs the fixed cost ${where}; past that point the cache's win grows with every token.`;
}

/** Per-step medians of one race, by token (lib/lessons/race's RaceRow, the fields a fit needs). */
export interface RaceStep {
  token: number;
  naiveMs: number;
  cachedMs: number;
}

/**
 * Both generators' step times fitted from a race's own rows, after a prompt of `promptLength` tokens.
 * Token n's steps read promptLength + n − 1 positions (the cached one from its cache). Token 1 is the
 * prefill in both generators, timed as TTFT and not a decode step, so both lines start at token 2; the
 * `skip` tokens (outlier steps) are left out too. Null when a line lacks two different positions.
 */
export function raceStepModel(rows: readonly RaceStep[], promptLength: number, skip: readonly number[] = []): StepModel | null {
  const decode = rows.filter((r) => r.token > 1 && !skip.includes(r.token));
  const at = (r: RaceStep) => promptLength + r.token - 1;
  if (new Set(decode.map(at)).size < 2) return null;
  return {
    naive: fitLine(decode.map((r) => ({ x: at(r), y: r.naiveMs }))),
    cached: fitLine(decode.map((r) => ({ x: at(r), y: r.cachedMs }))),
  };
}

/** A bench run's medians for one path (lib/bench/results' BenchRow, the fields a fit needs). */
export interface BenchStep {
  position: number;
  path: string;
  naiveMs: number;
  cachedMs: number;
}

/**
 * Both steps' times fitted through a finished bench run's medians for one path, so the sentence under
 * the table reads from the table's own numbers. Null when the run measured fewer than two positions.
 */
export function benchStepModel(rows: readonly BenchStep[], path: string): StepModel | null {
  const mine = rows.filter((r) => r.path === path);
  if (new Set(mine.map((r) => r.position)).size < 2) return null;
  return {
    naive: fitLine(mine.map((r) => ({ x: r.position, y: r.naiveMs }))),
    cached: fitLine(mine.map((r) => ({ x: r.position, y: r.cachedMs }))),
  };
}
