/**
 * Measurements for the race and the prefill lessons, on top of the model core. Every function says
 * exactly what its clock covers; all return plain numbers, and every tensor they make is disposed
 * before they return (the caller's tensor count is unchanged).
 *
 * Timed regions contain only the forward pass and the awaited logits readback — the same region the
 * generators time (StepRecord.ms). Sampling, decoding text and bookkeeping happen outside.
 */
import { AbortedError } from './yield';
export { AbortedError };
import * as tf from '@tensorflow/tfjs-core';
import { argmax, disposeCache, emptyCache, forward, generateCached, generateNaive, type GPT, type KVCache, type Tokenizer } from '../gpt';
import { maxAbsDifference } from '../stats';
import type { RaceRun, RaceRuns } from './race';

/** Sampling for the race: seeded, so naive and cached must draw the very same tokens. */
export const RACE_SAMPLING = { temperature: 0.8, topK: 40 } as const;

export type RacePhase = 'warmup' | 'naive' | 'cached';

export interface RaceProgress {
  phase: RacePhase;
  /** 1-based repeat (the warm-up is repeat 0). */
  repeat: number;
  /** Tokens generated so far in this run, of `tokens`. */
  step: number;
  tokens: number;
}

export interface RaceOptions {
  tokens: number;
  seed: number;
  repeats: number;
  /** Run both generators once, untimed, before measuring (compiles shaders, fills caches). */
  warmup: boolean;
  signal?: AbortSignal;
  onProgress?: (p: RaceProgress) => void;
  /**
   * Awaited after each step, outside its timed region: the model thread gives its event loop a turn here
   * so that Stop (an abort message) is seen before the next step.
   */
  between?: () => Promise<void>;
}

export interface RaceResult {
  runs: RaceRuns;
  /** The warm-up's own timings, reported apart and never mixed into the results. */
  warmup: { naive: RaceRun; cached: RaceRun } | null;
}

async function oneRun(
  kind: 'naive' | 'cached',
  model: GPT,
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  opts: RaceOptions,
  report: (step: number) => void,
): Promise<RaceRun> {
  const generate = kind === 'naive' ? generateNaive : generateCached;
  const run: RaceRun = { ms: [], ids: [] };
  const records = generate(model, tokenizer, promptIds, {
    maxNewTokens: opts.tokens,
    sampling: { ...RACE_SAMPLING, seed: opts.seed },
    signal: opts.signal,
  });
  for await (const r of records) {
    run.ms.push(r.ms);
    run.ids.push(r.id);
    report(run.ms.length);
    await opts.between?.();
  }
  if (opts.signal?.aborted) throw new AbortedError();
  return run;
}

/**
 * The race: an optional warm-up of both generators, then `repeats` rounds of naive and cached
 * generation of the same tokens from the same prompt and seed. The order alternates between rounds
 * (naive first, then cached first, …) so neither always runs on a warmer device.
 */
export async function runRace(model: GPT, tokenizer: Tokenizer, promptIds: readonly number[], opts: RaceOptions): Promise<RaceResult> {
  const progress = (phase: RacePhase, repeat: number) => (step: number) => opts.onProgress?.({ phase, repeat, step, tokens: opts.tokens });
  let warmup: RaceResult['warmup'] = null;
  if (opts.warmup) {
    const naive = await oneRun('naive', model, tokenizer, promptIds, opts, progress('warmup', 0));
    const cached = await oneRun('cached', model, tokenizer, promptIds, opts, progress('warmup', 0));
    warmup = { naive, cached };
  }
  const runs: RaceRuns = { naive: [], cached: [] };
  for (let repeat = 1; repeat <= opts.repeats; repeat++) {
    const order = repeat % 2 ? (['naive', 'cached'] as const) : (['cached', 'naive'] as const);
    for (const kind of order) {
      runs[kind].push(await oneRun(kind, model, tokenizer, promptIds, opts, progress(kind, repeat)));
    }
  }
  return { runs, warmup };
}

/** One prefill of `ids` into an empty cache, split into its two measured parts. */
export interface PrefillTiming {
  promptLength: number;
  /** From the start to `forward()` returning: building and submitting the work (on a GPU, queueing it). */
  forwardMs: number;
  /** From there until the last position's logits are in JavaScript: waiting for the device, then copying. */
  readbackMs: number;
  /** forwardMs + readbackMs: time to first token, without choosing the token (argmax, microseconds). */
  ttftMs: number;
  /** Each following cached decode step (forward + readback), greedy. */
  decodeMs: number[];
}

async function timedForward(model: GPT, ids: readonly number[], cache: KVCache) {
  const t0 = performance.now();
  const idx = tf.tensor2d([...ids], [1, ids.length], 'int32'); // [1, T]
  const out = forward(model, idx, cache, { logits: 'last' });
  const t1 = performance.now();
  const logits = (await out.logits.data()) as Float32Array; // [V]
  const t2 = performance.now();
  idx.dispose();
  out.logits.dispose();
  return { logits, cache: out.cache!, forwardMs: t1 - t0, readbackMs: t2 - t1 };
}

/**
 * Time to first token for a prompt, then `decodeSteps` cached steps after it. The caller should run
 * it once untimed first (`warmup`) so shader compilation is not counted.
 */
export async function measurePrefill(
  model: GPT,
  ids: readonly number[],
  decodeSteps: number,
  opts: { signal?: AbortSignal; between?: () => Promise<void> } = {},
): Promise<PrefillTiming> {
  let cache = emptyCache(model.config);
  const check = async () => {
    await opts.between?.();
    if (opts.signal?.aborted) throw new AbortedError();
  };
  try {
    await check();
    const first = await timedForward(model, ids, cache);
    cache = first.cache;
    const decodeMs: number[] = [];
    let next = argmax(first.logits);
    const steps = Math.min(decodeSteps, model.config.blockSize - ids.length);
    for (let i = 0; i < steps; i++) {
      await check();
      const r = await timedForward(model, [next], cache);
      disposeCache(cache);
      cache = r.cache;
      decodeMs.push(r.forwardMs + r.readbackMs);
      next = argmax(r.logits);
    }
    return {
      promptLength: ids.length,
      forwardMs: first.forwardMs,
      readbackMs: first.readbackMs,
      ttftMs: first.forwardMs + first.readbackMs,
      decodeMs,
    };
  } finally {
    disposeCache(cache);
  }
}

export interface ChunkedComparison {
  promptLength: number;
  chunk: number;
  chunks: number;
  /** One forward pass over the whole prompt, plus the readback of its last logits. */
  onePassMs: number;
  /** ceil(P / chunk) passes through the cache; only the last chunk's logits are read back. */
  chunkedMs: number;
  /** max_i |logits_onepass[i] − logits_chunked[i]| over the vocabulary, for the next token. */
  maxAbsDiff: number;
  /** The next token each way (greedy). */
  onePassNext: number;
  chunkedNext: number;
}

/** Prefill in one pass and in chunks of `chunk` tokens through the cache; compares time and logits. */
export async function compareChunkedPrefill(model: GPT, ids: readonly number[], chunk: number): Promise<ChunkedComparison> {
  const one = await timedForward(model, ids, emptyCache(model.config));
  disposeCache(one.cache);

  let cache = emptyCache(model.config);
  let logits: Float32Array | null = null;
  let chunks = 0;
  const t0 = performance.now();
  try {
    for (let start = 0; start < ids.length; start += chunk) {
      const part = ids.slice(start, start + chunk);
      const idx = tf.tensor2d(part, [1, part.length], 'int32'); // [1, chunk]
      const out = forward(model, idx, cache, { logits: 'last' });
      idx.dispose();
      disposeCache(cache);
      cache = out.cache!;
      chunks++;
      // Earlier chunks' logits are never needed: only the last position predicts the next token.
      if (start + chunk >= ids.length) logits = (await out.logits.data()) as Float32Array;
      out.logits.dispose();
    }
  } finally {
    disposeCache(cache);
  }
  const chunkedMs = performance.now() - t0;
  return {
    promptLength: ids.length,
    chunk,
    chunks,
    onePassMs: one.forwardMs + one.readbackMs,
    chunkedMs,
    maxAbsDiff: maxAbsDifference(one.logits, logits!),
    onePassNext: argmax(one.logits),
    chunkedNext: argmax(logits!),
  };
}

export { sweepLengths } from './prefill';

/** A long public-domain passage (Pride and Prejudice, chapter 1) to cut prompts of any length from. */
export const PREFILL_TEXT =
  'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. ' +
  'However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so ' +
  'well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other of ' +
  'their daughters. "My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?" ' +
  'Mr. Bennet replied that he had not. "But it is," returned she; "for Mrs. Long has just been here, and she told me all about it." ' +
  'Mr. Bennet made no answer. "Do you not want to know who has taken it?" cried his wife impatiently. "You want to tell me, and ' +
  'I have no objection to hearing it." This was invitation enough. "Why, my dear, you must know, Mrs. Long says that Netherfield ' +
  'is taken by a young man of large fortune from the north of England; that he came down on Monday in a chaise and four to see ' +
  'the place, and was so much delighted with it, that he agreed with Mr. Morris immediately; that he is to take possession ' +
  'before Michaelmas, and some of his servants are to be in the house by the end of next week." "What is his name?" "Bingley." ' +
  '"Is he married or single?" "Oh! Single, my dear, to be sure! A single man of large fortune; four or five thousand a year. ' +
  'What a fine thing for our girls!"';

/** The first `length` tokens of PREFILL_TEXT (repeated if it is too short). */
export function promptOfLength(tokenizer: Tokenizer, length: number): number[] {
  const ids = tokenizer.encode(PREFILL_TEXT);
  const out: number[] = [];
  while (out.length < length) out.push(...ids.slice(0, length - out.length));
  return out;
}
