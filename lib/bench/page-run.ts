/**
 * The /bench/ page's measurements as plain async functions, so the Web Worker (issue 8) can call them
 * later unchanged: the same steps as `kvlab bench` (lib/bench/measure.ts), one run on the current
 * backend, the results in bench/results.json's format. No React, no DOM.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../gpt/forward';
import { countParams } from '../gpt/params';
import { disposeCache } from '../gpt/kvcache';
import { timingModel } from '../gpt/timing-model';
import { forward } from '../gpt/forward';
import { forwardFast } from '../gpt/fast/forward-fast';
import { fitLine, type StepModel } from '../lessons/crossover';
import { SIZE_PRESETS, TIMING_SEED, type ModelSize } from '../lessons/sizes';
import { maxAbsDifference, median } from '../stats';
import {
  ALL_PATHS,
  BenchAborted,
  PATHS,
  countPositionKernels,
  disposePosition,
  measurePosition,
  measurePositions,
  setupPosition,
  type BenchModel,
  type PositionKernels,
  type PositionSetup,
} from './measure';
import type { Bandwidths } from './bandwidth';
import { clockInfo, type ClockInfo } from './clock';
import { buildRows, flatnessRows, stepBytes, type BenchResults, type RunRecord } from './results';
import { RUN_UP, staticPathServed } from './schedule';

/** The backend tfjs runs on (the page never imports tfjs itself). */
export const benchBackend = (): string => tf.getBackend();

/** Frees a timing model's weights (austen's belong to the model registry). */
export function disposeTimingModel(model: GPT): void {
  tf.dispose(Object.values(model.weights));
}

export { pagePositions } from '../lessons/sizes';

/**
 * What the browser lets a timing model use, from what it tells us: half of navigator.deviceMemory
 * (which browsers round down and cap at 8 GB) when known, else 2 GiB; wasm is held to 2 GiB, the
 * most its heap grows to in tfjs's build.
 */
export function browserMemoryBudget(backend: string, deviceMemoryGB: number | undefined): { bytes: number; source: string } {
  const device = deviceMemoryGB ? (deviceMemoryGB * 2 ** 30) / 2 : 2 * 2 ** 30;
  const source = deviceMemoryGB ? `this browser (half of the ${deviceMemoryGB} GB it reports)` : 'this browser (2 GiB assumed: it does not report its memory)';
  if (backend === 'wasm' && device > 2 * 2 ** 30) return { bytes: 2 * 2 ** 30, source: 'the WebAssembly heap (2 GiB)' };
  return { bytes: device, source };
}

/** The model for a size: austen comes loaded from the caller; timing models are drawn here (memory checked first). */
export function timingModelFor(size: Exclude<ModelSize, 'austen'>, budget: { bytes: number; source: string }): GPT {
  return timingModel(SIZE_PRESETS[size].config!, TIMING_SEED, budget);
}

/**
 * A timing model for the race: `size`'s random weights (memory checked first), speaking the trained
 * model's tokenizer so the same prompt works at every size. Every id the tokenizer makes needs a row
 * in the embedding, so a larger vocabulary than the preset's is refused before anything is drawn.
 */
export function raceTimingModel(size: Exclude<ModelSize, 'austen'>, tokenizerVocab: number, budget: { bytes: number; source: string }): GPT {
  const V = SIZE_PRESETS[size].config!.vocabSize;
  if (tokenizerVocab > V) throw new Error(`the ${size} timing model has ${V} token ids but the tokenizer makes ${tokenizerVocab}`);
  return timingModelFor(size, budget);
}

/** Largest |Δlogits| between the fast path and forward(), for one naive and one cached step at P. */
export async function checkFastPath(bm: BenchModel, P: number): Promise<number> {
  const s = setupPosition(bm, P);
  let worst = 0;
  try {
    for (const [idx, cache] of [[s.full, null], [s.last, s.cache]] as const) {
      const r = forward(bm.model, idx, cache, { logits: 'last' });
      const f = forwardFast(bm.fast, idx, cache, { logits: 'last' });
      worst = Math.max(worst, maxAbsDifference(await r.logits.data(), await f.logits.data()));
      tf.dispose([r.logits, f.logits]);
      disposeCache(r.cache);
      disposeCache(f.cache);
    }
  } finally {
    disposePosition(s);
  }
  return worst;
}

/**
 * A short measured probe: a few fast-path steps of each kind at two positions, fitted to lines, from
 * which the page estimates how long a full run would take before offering it.
 */
export async function probeSteps(
  bm: BenchModel,
  positions: readonly [number, number],
  between?: () => Promise<void>,
  minSampleMs = 0,
): Promise<StepModel> {
  const pts = { naive: [] as { x: number; y: number }[], cached: [] as { x: number; y: number }[] };
  for (const P of positions) {
    const s = setupPosition(bm, P);
    try {
      // No run-ups: a rough, quick estimate (cold steps err long, on the side of warning).
      const samples = await measurePosition(bm, s, { warmup: 1, repeats: 3, paths: ['fast'], between, runUp: 0, minSampleMs });
      pts.naive.push({ x: P, y: median(samples['naive-fast'] ?? []) });
      pts.cached.push({ x: P, y: median(samples['cached-fast'] ?? []) });
    } finally {
      disposePosition(s);
    }
  }
  return { naive: fitLine(pts.naive), cached: fitLine(pts.cached) };
}

export interface PageRunOptions {
  warmup: number;
  repeats: number;
  signal?: AbortSignal;
  between?: () => Promise<void>;
  /** Steps done of all steps in the run, and the position being measured. */
  onProgress?: (done: number, total: number, position: number) => void;
  /** Also time the fast path's cached step against a static cache (wasm: staticPathServed). */
  staticPath?: boolean;
  /** The clock this page reads, and the shortest sample it needs (clock.ts); one step per sample if absent. */
  clock?: ClockInfo;
  /** Before each round's first step (measurePositions): the page probes the read rate there, as the CLI does. */
  onRound?: (round: number) => void | Promise<void>;
}

/**
 * Measures every position on the current backend (both paths, both kinds, kernel counts), one
 * RunRecord. As in `npm run bench`, the timed rounds interleave the positions (measurePositions),
 * so every position's setup is held until the run ends.
 */
export async function runPageBench(bm: BenchModel, positions: readonly number[], o: PageRunOptions, device?: { device: string; software: boolean }): Promise<RunRecord> {
  const record: RunRecord = { backend: tf.getBackend(), ...(device ?? {}), ...(o.clock ? { clock: o.clock } : {}), positions: [] };
  const setups: PositionSetup[] = [];
  const paths = o.staticPath ? ALL_PATHS : PATHS;
  try {
    const kernels: PositionKernels[] = [];
    for (const P of positions) {
      if (o.signal?.aborted) throw new BenchAborted();
      const s = setupPosition(bm, P, o.staticPath);
      setups.push(s);
      kernels.push(await countPositionKernels(bm, s, paths));
      if (o.between) await o.between();
    }
    const samples = await measurePositions(bm, setups, {
      warmup: o.warmup,
      repeats: o.repeats,
      paths,
      signal: o.signal,
      between: o.between,
      minSampleMs: o.clock?.minSampleMs ?? 0,
      onStep: (done, total, P) => o.onProgress?.(done, total, P),
      onRound: o.onRound,
    });
    positions.forEach((P, i) => record.positions.push({ position: P, samples: samples[i], kernels: kernels[i] }));
  } finally {
    setups.forEach(disposePosition);
  }
  return record;
}

/** The page's run as bench/results.json's format, with the browser in place of the machine. */
export function pageResults(
  run: RunRecord,
  bm: BenchModel,
  size: ModelSize,
  o: { warmup: number; repeats: number; bandwidth: Bandwidths; userAgent: string; cores: number | undefined },
): BenchResults {
  const c = bm.model.config;
  const rows = buildRows([run], c, size, o.bandwidth);
  const description = SIZE_PRESETS[size].timingOnly
    ? `timing model "${size}": random weights from seed ${TIMING_SEED}, for timing only (${(countParams(c) / 1e6).toFixed(1)}M parameters)`
    : 'trained model austen (in the browser)';
  return {
    model: description,
    config: c,
    repeats: o.repeats,
    machine: { browser: o.userAgent, cores: o.cores ?? 'unknown', tfjs: tf.version_core, backend: run.backend, date: new Date().toISOString() },
    bandwidth: o.bandwidth,
    rows,
    size,
    warmup: o.warmup,
    processes: 1,
    runUp: RUN_UP,
    ...(run.clock ? { clock: run.clock } : {}),
    flatness: flatnessRows(rows),
  };
}

/** What a page bench job reports while it runs. */
export type BenchProgress =
  | { kind: 'preparing'; what: string }
  | { kind: 'running'; done: number; total: number; position: number; fastDelta: number; probe: StepModel | null };

/** A page bench job's answer: an estimate to confirm first (unless forced), or the results. */
export type BenchOutcome =
  | { kind: 'offer'; estimateMs: number; probe: StepModel; fastDelta: number }
  | { kind: 'done'; results: BenchResults; fastDelta: number; probe: StepModel | null };

export interface BenchJob {
  size: ModelSize;
  positions: number[];
  warmup: number;
  repeats: number;
  /** Skip the probe and its estimate (the learner accepted a long run). */
  force: boolean;
  /** Also time a static cache's cached step, where the backend writes it in place (staticPathServed). */
  staticPath?: boolean;
  deviceMemory?: number;
  userAgent: string;
  cores?: number;
}

/**
 * The whole /bench/ run on the model thread: prepare the model (the trained one, or a timing size's
 * random weights), check the fast path against the reference, probe two positions and stop with an
 * estimate when the run would be long, then measure. Frees every tensor it made, also when aborted.
 */
export async function runBenchJob(
  trained: GPT | null,
  job: BenchJob,
  o: { signal?: AbortSignal; between?: () => Promise<void>; progress(p: BenchProgress): void },
): Promise<BenchOutcome> {
  const { prepareBench, disposeBenchModel } = await import('./measure');
  const { benchEstimateMs, LONG_RUN_MS } = await import('../lessons/estimate');
  const { fastestOf, readBandwidthsYielding, releaseProbeBuffer, ROUND_PROBE_REPEATS, RUN_PROBES } = await import('./bandwidth');
  o.progress({ kind: 'preparing', what: job.size === 'austen' ? 'preparing the fast path' : 'drawing random weights on this device' });
  await o.between?.();
  const model = job.size === 'austen' ? trained : timingModelFor(job.size, browserMemoryBudget(benchBackend(), job.deviceMemory));
  if (!model) throw new Error('The austen model is not loaded yet.');
  const bm = prepareBench(model);
  const staticPath = !!job.staticPath && staticPathServed(benchBackend());
  try {
    o.progress({ kind: 'preparing', what: 'checking the fast path against the reference' });
    const blockSize = model.config.blockSize;
    const fastDelta = await checkFastPath(bm, Math.min(job.positions[0], blockSize));
    // Browsers tick in 0.1 ms outside cross-origin isolation: shorter steps are timed several at a time.
    const clock = clockInfo();
    let probe: StepModel | null = null;
    if (!job.force) {
      o.progress({ kind: 'preparing', what: 'a short probe to estimate the run' });
      const hi = job.positions[job.positions.length - 1];
      probe = await probeSteps(bm, [Math.min(16, hi), hi === Math.min(16, hi) ? hi + 1 : hi], o.between, clock.minSampleMs);
      const estimateMs = benchEstimateMs(probe, job.positions, job.warmup, job.repeats, 2, staticPath, clock.minSampleMs);
      if (estimateMs > LONG_RUN_MS) return { kind: 'offer', estimateMs, probe, fastDelta };
    }
    o.progress({ kind: 'preparing', what: 'measuring how fast this device reads memory' });
    await o.between?.();
    const sizes = job.positions.map((P) => ({ position: P, bytes: stepBytes(model.config, Math.min(blockSize, P)) }));
    const between = o.between ?? (async () => {});
    const before = await readBandwidthsYielding(11, sizes, between);
    const during: Bandwidths[] = []; // at the start of every round, as the CLI probes
    o.progress({ kind: 'running', done: 0, total: 1, position: job.positions[0], fastDelta, probe });
    let last = 0;
    const record = await runPageBench(bm, job.positions, {
      warmup: job.warmup,
      repeats: job.repeats,
      signal: o.signal,
      between: o.between,
      staticPath,
      clock,
      onRound: async () => void during.push(await readBandwidthsYielding(ROUND_PROBE_REPEATS, sizes, between)),
      onProgress: (done, total, position) => {
        const now = performance.now();
        if (now - last < 100 && done !== total) return; // the page repaints ten times a second at most
        last = now;
        o.progress({ kind: 'running', done, total, position, fastDelta, probe });
      },
    });
    const results = pageResults(record, bm, job.size, {
      warmup: job.warmup,
      repeats: job.repeats,
      bandwidth: fastestOf([before, await readBandwidthsYielding(11, sizes, between), ...during], RUN_PROBES),
      userAgent: job.userAgent,
      cores: job.cores,
    });
    return { kind: 'done', results, fastDelta, probe };
  } finally {
    releaseProbeBuffer();
    disposeBenchModel(bm);
    if (job.size !== 'austen') disposeTimingModel(model);
  }
}
