/**
 * The race's estimate before a long run: a few steps of each generator at two positions, timed the
 * way the race times them (the readable forward() and the awaited logits), fitted to lines, summed
 * over the race's steps (lib/lessons/estimate.ts). Every tensor made here is disposed before it returns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeCache, emptyCache, forward, type GPT, type KVCache } from '../gpt';
import { median } from '../stats';
import { benchIds } from '../bench/measure';
import { fitLine, type StepModel } from './crossover';
import { raceEstimateMs } from './estimate';
import { AbortedError } from './yield';

/** Untimed steps of each kind before the timed ones, and the timed ones, per position. */
const PROBE_WARMUP = 1;
const PROBE_STEPS = 2;

/** One step timed like the race's: a naive one over all `ids`, or a cached one of the last id after `cache`. */
async function timedStep(model: GPT, ids: readonly number[], cache: KVCache | null): Promise<number> {
  const input = cache ? ids.slice(-1) : ids;
  const t0 = performance.now();
  const idx = tf.tensor2d([...input], [1, input.length], 'int32'); // [1, T]
  const out = forward(model, idx, cache, { logits: 'last' });
  await out.logits.data(); // [V]
  const ms = performance.now() - t0;
  idx.dispose();
  out.logits.dispose();
  if (cache) disposeCache(out.cache); // only this step's extension: the base cache is reused
  return ms;
}

/** The median ms of a naive and of a cached step at position P (the step sees P tokens). */
async function probeAt(model: GPT, P: number, check: () => Promise<void>): Promise<{ naive: number; cached: number }> {
  // Any ids will do (a step's time does not depend on which): the bench's fixed walk over the vocabulary.
  const ids = benchIds(P, model.config.vocabSize);
  let cache = emptyCache(model.config);
  try {
    if (P > 1) {
      const prompt = tf.tensor2d([ids.slice(0, P - 1)], [1, P - 1], 'int32'); // [1, P−1]
      const out = forward(model, prompt, cache, { logits: 'last' });
      tf.dispose([prompt, out.logits]);
      cache = out.cache!;
    }
    const times = { naive: [] as number[], cached: [] as number[] };
    for (let i = 0; i < PROBE_WARMUP + PROBE_STEPS; i++) {
      for (const kind of ['naive', 'cached'] as const) {
        await check();
        const ms = await timedStep(model, ids, kind === 'cached' ? cache : null);
        if (i >= PROBE_WARMUP) times[kind].push(ms);
      }
    }
    return { naive: median(times.naive), cached: median(times.cached) };
  } finally {
    disposeCache(cache);
  }
}

/** The two positions to probe for a race: the first decode step's and the last step's, inside the context. */
export function probePositions(blockSize: number, promptLength: number, tokens: number): [number, number] {
  const lo = Math.max(1, Math.min(promptLength + 1, blockSize - 1));
  const hi = Math.max(lo + 1, Math.min(promptLength + tokens, blockSize));
  return [lo, hi];
}

/** Fitted step times of both generators from a short probe at two positions. */
export async function probeRaceSteps(
  model: GPT,
  positions: readonly [number, number],
  o: { signal?: AbortSignal; between?: () => Promise<void> } = {},
): Promise<StepModel> {
  const check = async () => {
    await o.between?.();
    if (o.signal?.aborted) throw new AbortedError();
  };
  const pts = { naive: [] as { x: number; y: number }[], cached: [] as { x: number; y: number }[] };
  for (const P of positions) {
    const at = await probeAt(model, P, check);
    pts.naive.push({ x: P, y: at.naive });
    pts.cached.push({ x: P, y: at.cached });
  }
  return { naive: fitLine(pts.naive), cached: fitLine(pts.cached) };
}

export interface RaceEstimate {
  /** The whole race, its warm-up included: (repeats + 1) runs of each generator. */
  estimateMs: number;
  probe: StepModel;
  positions: [number, number];
}

/** How long a race of `tokens` after a prompt of `promptLength` would take here, from a short probe. */
export async function estimateRace(
  model: GPT,
  race: { promptLength: number; tokens: number; repeats: number; warmup: boolean },
  o: { signal?: AbortSignal; between?: () => Promise<void> } = {},
): Promise<RaceEstimate> {
  const positions = probePositions(model.config.blockSize, race.promptLength, race.tokens);
  const probe = await probeRaceSteps(model, positions, o);
  const runs = race.repeats + (race.warmup ? 1 : 0);
  return { estimateMs: raceEstimateMs(probe, race.promptLength, race.tokens, runs).totalMs, probe, positions };
}
