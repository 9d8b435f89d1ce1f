/**
 * The bench's measurements, shared by `kvlab bench` (Node) and the /bench/ page (browser, later the
 * worker): one decode step, naive or cached, through the readable forward() or the fast path, timed
 * from the call to the awaited logits. Plain async functions over tfjs; no DOM, no Node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forward, type GPT } from '../gpt/forward';
import { forwardFast } from '../gpt/fast/forward-fast';
import { disposeFastModel, prepareFastModel, type FastModel } from '../gpt/fast/prepare';
import { disposeCache, emptyCache, fullCache, type CacheKind, type KVCache } from '../gpt/kvcache';
import { staticCache } from '../gpt/kvcache-static';
import { countKernels, type KernelCount } from './kernels';
import { benchSchedule } from './schedule';

export type StepKind = 'naive' | 'cached';
/**
 * 'static': the fast path's cached step against a static cache (kvcache-static.ts: the whole context
 * reserved, each new row written in place) instead of the full one, whose append copies every row
 * into a new tensor. Its naive step is the fast path's (no cache), so it is timed once, as 'fast'.
 */
export type PathName = 'reference' | 'fast' | 'static';
export const STEP_KINDS: readonly StepKind[] = ['naive', 'cached'];
/** The paths timed by default; ALL_PATHS adds 'static', which only `kvlab bench --static` asks for. */
export const PATHS: readonly PathName[] = ['reference', 'fast'];
export const ALL_PATHS: readonly PathName[] = ['reference', 'fast', 'static'];

/** The bar issue 9 sets: at least 10 warm-ups and 21 repeats. */
export const MIN_WARMUP = 10;
export const MIN_REPEATS = 21;

/** A model ready for both paths. Dispose with disposeBenchModel (the GPT's weights stay with their owner). */
export interface BenchModel {
  model: GPT;
  fast: FastModel;
}

export function prepareBench(model: GPT): BenchModel {
  return { model, fast: prepareFastModel(model) };
}

export function disposeBenchModel(bm: BenchModel): void {
  disposeFastModel(bm.fast);
}

/** Token ids for a position: a fixed pseudo-random walk over the vocabulary, the same on every device. */
export const benchIds = (n: number, V: number): number[] => Array.from({ length: n }, (_, i) => (i * 2654435761) % V);

/** Everything one position's steps need: the full sequence for naive, a cache of P−1 positions for cached. */
export interface PositionSetup {
  position: number;
  full: tf.Tensor2D; // [1, P]
  last: tf.Tensor2D; // [1, 1]
  cache: KVCache; // P−1 positions, reused by every cached step (its result is disposed)
  staticCache?: KVCache; // the same positions in a static cache, for the 'static' path
}

/** `withStatic`: also prefill a static cache of P−1 positions, for the 'static' path. */
export function setupPosition(bm: BenchModel, P: number, withStatic = false): PositionSetup {
  const V = bm.model.config.vocabSize;
  const ids = benchIds(P, V);
  const full = tf.tensor2d([ids], [1, P], 'int32');
  const last = tf.tensor2d([[ids[P - 1]]], [1, 1], 'int32');
  const c = bm.model.config;
  const prefill = (kind: CacheKind) => {
    const empty = emptyCache(c, kind);
    if (P === 1) return empty;
    const prompt = tf.tensor2d([ids.slice(0, P - 1)], [1, P - 1], 'int32');
    const out = forward(bm.model, prompt, empty, { logits: 'last' });
    tf.dispose([prompt, out.logits]);
    return out.cache!;
  };
  return { position: P, full, last, cache: prefill(fullCache), ...(withStatic ? { staticCache: prefill(staticCache(c.blockSize)) } : {}) };
}

export function disposePosition(s: PositionSetup): void {
  tf.dispose([s.full, s.last]);
  disposeCache(s.cache);
  disposeCache(s.staticCache);
}

/** One step, from the forward call to the logits on the host (the readback waits for the GPU); returns the clock then, and frees its outputs. */
async function runStep(bm: BenchModel, s: PositionSetup, kind: StepKind, path: PathName): Promise<number> {
  const idx = kind === 'naive' ? s.full : s.last;
  if (path === 'static' && (kind === 'naive' || !s.staticCache)) throw new Error('the static path times cached steps of a setup made with a static cache');
  const cache = kind === 'naive' ? null : path === 'static' ? s.staticCache! : s.cache;
  const out = path === 'reference' ? forward(bm.model, idx, cache, { logits: 'last' }) : forwardFast(bm.fast, idx, cache, { logits: 'last' });
  try {
    await out.logits.data();
    return performance.now();
  } finally {
    out.logits.dispose();
    disposeCache(out.cache); // the base cache stays; only this step's extension goes
  }
}

/** One step, timed from the forward call to the logits on the host (the readback waits for the GPU). */
export async function timeStep(bm: BenchModel, s: PositionSetup, kind: StepKind, path: PathName): Promise<number> {
  return timeSample(bm, s, kind, path, 0);
}

/** Back-to-back steps in one sample at most (a coarse clock and a very fast step). */
export const MAX_STEPS_PER_SAMPLE = 64;

/**
 * One sample of a step's time. With `minSampleMs` 0, one step timed alone. Otherwise the same step
 * back to back until at least `minSampleMs` have passed (at most MAX_STEPS_PER_SAMPLE), and their
 * mean: where the clock ticks coarsely (browsers outside cross-origin isolation: 0.1 ms), a 0.5 ms
 * step timed alone reads 0.4, 0.5 or 0.6. Each step is the same computation from the same cache, as
 * the run-ups before it are, so the mean is of identical steps.
 */
export async function timeSample(bm: BenchModel, s: PositionSetup, kind: StepKind, path: PathName, minSampleMs: number): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    t = await runStep(bm, s, kind, path);
    n++;
  } while (t - t0 < minSampleMs && n < MAX_STEPS_PER_SAMPLE);
  return (t - t0) / n;
}

export interface MeasureOptions {
  warmup: number;
  repeats: number;
  paths?: readonly PathName[];
  kinds?: readonly StepKind[];
  /** Called between steps; the browser passes a yield to the event loop here so the page stays live. */
  between?: () => Promise<void>;
  /** Checked between steps; throw AbortedError-like to stop. */
  signal?: AbortSignal;
  /** Steps done of all steps, and the position the last one measured. */
  onStep?: (done: number, total: number, position: number) => void;
  /** Untimed cached steps before each timed one (default RUN_UP; a rough probe may skip them). */
  runUp?: number;
  /** Each timed or warm-up sample lasts at least this long (timeSample; 0: one step, where the clock is fine). */
  minSampleMs?: number;
  /**
   * Called before each round's first step (warm-ups included): the bench probes the read rate here, so
   * its bound sees the machine's phases that the steps see (bandwidth.ts's fastestOf).
   */
  onRound?: (round: number) => void | Promise<void>;
}

export type SampleKey = `${StepKind}-${PathName}`;
export type PositionSamples = Partial<Record<SampleKey, number[]>>;
export type PositionKernels = Partial<Record<SampleKey, KernelCount>>;

export class BenchAborted extends Error {
  override name = 'BenchAborted';
  constructor() {
    super('the measurement was stopped');
  }
}

/**
 * Times every (kind, path) at every position in benchSchedule's order (each after its run-up).
 * Returns one PositionSamples per setup, in the setups' order; onStep counts the steps that are not
 * run-ups (warm-ups included); `between` runs after every step, run-ups included.
 */
export async function measurePositions(bm: BenchModel, setups: readonly PositionSetup[], opts: MeasureOptions): Promise<PositionSamples[]> {
  const combos = stepCombos(opts.kinds ?? STEP_KINDS, opts.paths ?? PATHS);
  const out: PositionSamples[] = setups.map(() => ({}));
  const schedule = benchSchedule(setups.length, combos, opts.warmup, opts.repeats, opts.runUp);
  const total = schedule.filter((s) => !s.runUp).length;
  let done = 0;
  let round = -1;
  for (const step of schedule) {
    if (opts.signal?.aborted) throw new BenchAborted();
    if (step.round !== round) {
      round = step.round;
      await opts.onRound?.(round);
    }
    const s = setups[step.setup];
    const ms = await timeSample(bm, s, step.kind, step.path, step.runUp ? 0 : (opts.minSampleMs ?? 0));
    if (!step.runUp) {
      if (step.timed) (out[step.setup][`${step.kind}-${step.path}`] ??= []).push(ms);
      opts.onStep?.(++done, total, s.position);
    }
    // After run-ups too: on the page a Stop arrives as a message, read only when the loop yields.
    if (opts.between) await opts.between();
  }
  return out;
}

/** Every (kind, path) a step is timed for; the static path has no naive step of its own. */
function stepCombos(kinds: readonly StepKind[], paths: readonly PathName[]): [StepKind, PathName][] {
  const combos: [StepKind, PathName][] = [];
  for (const k of kinds) for (const p of paths) if (!(p === 'static' && k === 'naive')) combos.push([k, p]);
  return combos;
}

/** measurePositions at one position. */
export async function measurePosition(bm: BenchModel, s: PositionSetup, opts: MeasureOptions): Promise<PositionSamples> {
  return (await measurePositions(bm, [s], opts))[0];
}

/** Kernels one step launches, per (kind, path), counted on a warm step (outside any timing). */
export async function countPositionKernels(bm: BenchModel, s: PositionSetup, paths: readonly PathName[] = PATHS): Promise<PositionKernels> {
  const out: PositionKernels = {};
  for (const [kind, path] of stepCombos(STEP_KINDS, paths)) {
    await timeStep(bm, s, kind, path);
    out[`${kind}-${path}`] = await countKernels(async () => {
      await timeStep(bm, s, kind, path);
    });
  }
  return out;
}
