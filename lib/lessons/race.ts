/**
 * The arithmetic of the race between naive and cached generation: medians, running totals, speedups,
 * the verdict on the tokens and the CSV export. Plain numbers in, plain numbers out — no tfjs, no
 * React — so every figure the race lesson shows can be checked by a unit test.
 */

import { firstDifference, median } from '../stats';
import { stepMs, type StepModel } from './crossover';

/** One measured generation: per-step milliseconds (forward + logits readback) and the chosen ids. */
export interface RaceRun {
  ms: number[];
  ids: number[];
}

/** Repeats of both generators, measured in the same session after the same warm-up. */
export interface RaceRuns {
  naive: RaceRun[];
  cached: RaceRun[];
}

/** One row of the race's result table (a type, not an interface, so charts accept it as a plain row). */
export type RaceRow = {
  /** 1-based count of generated tokens after this step. */
  token: number;
  /** Median over repeats of this step's milliseconds. */
  naiveMs: number;
  cachedMs: number;
  /** Running sums of the medians. */
  naiveTotal: number;
  cachedTotal: number;
  /** naiveMs / cachedMs for this step. */
  stepSpeedup: number;
  /** naiveTotal / cachedTotal: how much sooner the cached run had produced this many tokens. */
  totalSpeedup: number;
};

/**
 * The one computed record of a race: every tile, sentence, table footer and data attribute reads its
 * figures from here, so no two places can disagree about what "median" means.
 *
 * Two timings, two definitions:
 * - time to first token (TTFT): step 1, which reads the whole prompt in both generators (the prefill);
 * - ms per token: the median over the decode steps only (tokens 2 to N) of the per-step values, where a
 *   per-step value is the median over repeats.
 */
export interface RaceSummary {
  tokens: number;
  repeats: number;
  /** Step 1 (the prefill), median over repeats. */
  naiveTtftMs: number;
  cachedTtftMs: number;
  /** ms per token: median over decode steps (tokens 2…N) of the per-step medians; NaN with fewer than 2 tokens. */
  naiveMedianMs: number;
  cachedMedianMs: number;
  /** naiveMedianMs / cachedMedianMs. */
  medianSpeedup: number;
  /** Total time for all tokens (prefill included), and its ratio. */
  naiveTotalMs: number;
  cachedTotalMs: number;
  totalSpeedup: number;
  /** Tokens (rows) where a step took far longer than its neighbours: see {@link outlierTokens}. */
  outliers: number[];
  /** True when every run of both generators chose exactly the same token ids. */
  tokensMatch: boolean;
  /** First step where some run differs from the first naive run, or -1. */
  firstMismatch: number;
}

/** Running sums: [a, a+b, a+b+c, …]. */
export function cumulative(xs: readonly number[]): number[] {
  let sum = 0;
  return xs.map((x) => (sum += x));
}

/** a / b, or NaN when b is not a positive number (a speedup over nothing means nothing). */
export function speedup(a: number, b: number): number {
  return b > 0 && Number.isFinite(a) ? a / b : NaN;
}

/**
 * Per-step medians across repeats. Runs may differ in length (a run stopped at the context limit):
 * step i takes the median of the runs that reached it, and the result is as long as the shortest run,
 * so that every row is measured by every repeat.
 */
export function medianPerStep(runs: readonly RaceRun[]): number[] {
  if (runs.length === 0) return [];
  const n = Math.min(...runs.map((r) => r.ms.length));
  return Array.from({ length: n }, (_, i) => median(runs.map((r) => r.ms[i])));
}

/** The table rows: per-step medians of both generators, their running totals and speedups. */
export function raceRows(runs: RaceRuns): RaceRow[] {
  const naive = medianPerStep(runs.naive);
  const cached = medianPerStep(runs.cached);
  const n = Math.min(naive.length, cached.length);
  const naiveTotals = cumulative(naive.slice(0, n));
  const cachedTotals = cumulative(cached.slice(0, n));
  return Array.from({ length: n }, (_, i) => ({
    token: i + 1,
    naiveMs: naive[i],
    cachedMs: cached[i],
    naiveTotal: naiveTotals[i],
    cachedTotal: cachedTotals[i],
    stepSpeedup: speedup(naive[i], cached[i]),
    totalSpeedup: speedup(naiveTotals[i], cachedTotals[i]),
  }));
}

/** An outlier is a step more than this many times the median of its neighbours. */
export const OUTLIER_FACTOR = 1.5;
const NEIGHBOURS = 3;

/**
 * Decode tokens (2…N) where either generator's step took more than OUTLIER_FACTOR × the median of the
 * NEIGHBOURS steps on each side. The naive step grows with the length, so neighbours rather than the
 * whole run are the yardstick. Such a step is a pause outside the model — a garbage collection, the
 * browser drawing, another program — not the cost of the cache; the table marks it instead of hiding it.
 */
export function outlierTokens(rows: readonly RaceRow[]): number[] {
  const out: number[] = [];
  const decode = rows.slice(1);
  const isOutlier = (key: 'naiveMs' | 'cachedMs', i: number) => {
    const around = decode.filter((_, j) => j !== i && Math.abs(j - i) <= NEIGHBOURS).map((r) => r[key]);
    return around.length >= 2 && decode[i][key] > OUTLIER_FACTOR * median(around);
  };
  decode.forEach((r, i) => {
    if (isOutlier('naiveMs', i) || isOutlier('cachedMs', i)) out.push(r.token);
  });
  return out;
}

/** TTFT, ms per token, totals, speedups, outliers and the token verdict for a whole race. */
export function summarizeRace(runs: RaceRuns): RaceSummary {
  const rows = raceRows(runs);
  const decode = rows.slice(1); // step 1 is the prefill in both generators: it is TTFT, not "per token"
  const naiveMedianMs = decode.length ? median(decode.map((r) => r.naiveMs)) : NaN;
  const cachedMedianMs = decode.length ? median(decode.map((r) => r.cachedMs)) : NaN;
  const last = rows.at(-1);
  const all = [...runs.naive, ...runs.cached];
  const reference = runs.naive[0]?.ids ?? [];
  const mismatches = all.map((r) => firstDifference(reference, r.ids)).filter((i) => i >= 0);
  return {
    tokens: rows.length,
    repeats: Math.min(runs.naive.length, runs.cached.length),
    naiveTtftMs: rows[0]?.naiveMs ?? NaN,
    cachedTtftMs: rows[0]?.cachedMs ?? NaN,
    naiveMedianMs,
    cachedMedianMs,
    medianSpeedup: speedup(naiveMedianMs, cachedMedianMs),
    naiveTotalMs: last?.naiveTotal ?? 0,
    cachedTotalMs: last?.cachedTotal ?? 0,
    totalSpeedup: last ? last.totalSpeedup : NaN,
    outliers: outlierTokens(rows),
    tokensMatch: all.length > 0 && runs.naive.length > 0 && runs.cached.length > 0 && mismatches.length === 0,
    firstMismatch: mismatches.length ? Math.min(...mismatches) : -1,
  };
}

/** The most tokens a race can generate after a prompt of `promptLength`: the last token may fill the final position. */
export const roomAfter = (blockSize: number, promptLength: number): number => blockSize - promptLength + 1;

/**
 * The token counts the race offers: 32, 64, … up to 1,024 (the timing models' context), those that
 * fit after the prompt (else the room itself). The model's context decides how far the list goes.
 */
export function tokenOptions(blockSize: number, promptLength: number, options = [32, 64, 128, 256, 512, 1024]): number[] {
  const room = Math.max(1, roomAfter(blockSize, promptLength));
  const fitting = options.filter((n) => n <= room);
  return fitting.length ? fitting : [room];
}

/** The race's input checked before anything runs: either why it cannot run, or what it will run. */
export type RaceInput =
  | { ok: false; message: string }
  | {
      ok: true;
      /** The tokens that will be generated (the request, capped by the room left). */
      tokens: number;
      options: number[];
      /** Set when the request did not fit, e.g. "256 asked for; 247 fit after a 10-token prompt…". */
      capped: string | null;
    };

/** A race needs a prompt and room for at least 2 tokens (a prefill and one decode step to compare). */
export function checkRaceInput(blockSize: number, promptLength: number, requested: number): RaceInput {
  if (promptLength === 0) return { ok: false, message: 'The prompt is empty: type a few words for both generators to continue.' };
  const room = roomAfter(blockSize, promptLength);
  if (promptLength > blockSize) {
    return {
      ok: false,
      message:
        `The prompt is ${promptLength} tokens but the model sees at most ${blockSize}. Shorten it to at ` +
        `most ${blockSize - 1} tokens so that at least 2 can be generated.`,
    };
  }
  if (room < 2) {
    return {
      ok: false,
      message:
        `The prompt is ${promptLength} tokens and the model sees at most ${blockSize}: that leaves room ` +
        `for ${room} new token, and a race needs at least 2 (the first reads the prompt; the cache only ` +
        `helps after it). Shorten the prompt.`,
    };
  }
  const options = tokenOptions(blockSize, promptLength);
  const tokens = Math.min(requested, room);
  const capped =
    tokens < requested
      ? `${requested} tokens asked for, but only ${room} fit after this ${promptLength}-token prompt in ` +
        `a ${blockSize}-token context: the race generates ${tokens}.`
      : null;
  return { ok: true, tokens, options, capped };
}

/** One CSV field: quoted when it holds a comma, quote, or line break; quotes doubled (RFC 4180). */
export function csvField(value: string | number | boolean): string {
  const s = typeof value === 'number' && !Number.isFinite(value) ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of fields as CSV text with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Context written into every race CSV so a file on its own says what was measured. */
export interface RaceContext {
  backend: string;
  model: string;
  prompt: string;
  seed: number;
}

/**
 * The race as CSV: one line per run per step with the raw milliseconds, its phase (step 1 is the
 * prefill, whose median is TTFT; the rest are decode steps, whose median is ms per token) and the chosen
 * token, so a reader can recompute every figure of the summary. Warm-up runs are not included (they are not measurements).
 */
export function raceCsv(runs: RaceRuns, ctx: RaceContext): string {
  const header = ['backend', 'model', 'prompt', 'seed', 'generator', 'repeat', 'step', 'phase', 'ms', 'token_id'];
  const rows: (string | number)[][] = [];
  for (const generator of ['naive', 'cached'] as const) {
    runs[generator].forEach((run, repeat) =>
      run.ms.forEach((ms, step) =>
        rows.push([
          ctx.backend,
          ctx.model,
          ctx.prompt,
          ctx.seed,
          generator,
          repeat + 1,
          step + 1,
          step === 0 ? 'prefill' : 'decode', // the same split as TTFT and ms per token
          Number(ms.toFixed(3)),
          run.ids[step],
        ]),
      ),
    );
  }
  return toCsv(header, rows);
}

/** Milliseconds for display: two significant decimals below 10 ms, one below 100, none above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** A speedup for display: "3.2×" (NaN → "—"). */
export function formatSpeedup(x: number): string {
  return Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×` : '—';
}

/** What the learner's own race says, as sentences built from its summary and rows (no number is made up). */
/**
 * The lesson's reading of one race, sentence by sentence. With `fitted` (lib/lessons/crossover's
 * raceStepModel over the same rows), whether the naive step grew is read from its fitted line over
 * every decode step, as the crossover sentence beside it is, so a single noisy step cannot make the two
 * disagree; without it, from the first and last decode steps.
 */
export function interpretRace(
  rows: readonly RaceRow[],
  s: RaceSummary,
  backend: string,
  fitted: { fit: StepModel; promptLength: number } | null = null,
): string[] {
  if (rows.length < 2) return [];
  const out: string[] = [];
  const last = rows[rows.length - 1];
  const ratio = s.medianSpeedup;
  out.push(
    `On your device (${backend}) the first token, which reads the whole prompt, took ${formatMs(s.naiveTtftMs)} ms naive and ` +
      `${formatMs(s.cachedTtftMs)} ms cached. After it, a cached step took a median ${formatMs(s.cachedMedianMs)} ms per token and a ` +
      `naive step ${formatMs(s.naiveMedianMs)} ms — ` +
      (ratio >= 1
        ? `the cache made a step ${formatSpeedup(ratio)} faster.`
        : `the cached step was the slower one (${formatSpeedup(ratio)}).`),
  );
  out.push(
    `All ${s.tokens} tokens took ${formatMs(s.naiveTotalMs)} ms without a cache and ${formatMs(s.cachedTotalMs)} ms with one: ` +
      `${formatSpeedup(s.totalSpeedup)} overall.`,
  );
  // The first decode step and the last, as measured or as fitted (token n reads promptLength + n − 1 positions).
  const naiveAt = (r: RaceRow) => (fitted ? stepMs(fitted.fit.naive, fitted.promptLength + r.token - 1) : r.naiveMs);
  const first = { token: rows[1].token, naiveMs: naiveAt(rows[1]) };
  const end = { token: last.token, naiveMs: naiveAt(last) };
  const how = fitted ? ' (a line fitted through every decode step)' : '';
  const growth = speedup(end.naiveMs, first.naiveMs);
  if (ratio < 1) {
    out.push(
      'A cached step runs a few more operations than a naive one (it appends to the cache in every layer). Where each ' +
        'operation carries a large fixed cost, that bookkeeping can outweigh the arithmetic the cache saves.',
    );
  }
  if (Number.isFinite(growth) && growth < 1.5 && rows.length > 4) {
    out.push(
      `The naive step barely grew (${formatMs(first.naiveMs)} ms at token ${first.token}, ` +
        `${formatMs(end.naiveMs)} ms at token ${end.token}${how}): ` +
        'here a step costs about the same whether it reads 1 position or many, so its time goes to fixed per-operation ' +
        'overhead (launching kernels, reading results back) rather than to arithmetic. The cache cannot save overhead, only arithmetic.',
    );
  } else if (s.totalSpeedup < 1.5) {
    out.push('The cache saved little at this length: the repeated work is small while the sequence is short. Try more tokens.');
  } else {
    out.push(
      `The naive step grew from ${formatMs(first.naiveMs)} ms at token ${first.token} to ` +
        `${formatMs(end.naiveMs)} ms at token ${end.token}${how} ` +
        'as the sequence lengthened; the cached step stayed roughly flat, because it reads one new position whatever the length.',
    );
  }
  if (s.outliers.length) {
    out.push(
      `${s.outliers.length === 1 ? 'One step' : `${s.outliers.length} steps`} (token ${s.outliers.join(', ')}) took more than ` +
        `${OUTLIER_FACTOR}× as long as ${s.outliers.length === 1 ? 'its' : 'their'} neighbours: a pause outside the model (a garbage ` +
        'collection, another program), marked in the table rather than hidden. The medians above are hardly moved by it.',
    );
  }
  return out;
}
