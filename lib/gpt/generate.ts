import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from './config';
import type { AttentionTrace } from './attention';
import { forward, type ForwardResult, type GPT } from './forward';
import { cacheBytes, type CacheKind, disposeCache, emptyCache, type Eviction, type KVCache } from './kvcache';
import { applyPolicy, attentionMass, type CachePolicy } from './kvcache-policy';
import { createRng, type Rng } from './random';
import { sampleToken, type SamplingOptions } from './sample';
import type { Tokenizer } from './tokenizer';
import { readTrace, type PlainTrace } from './trace';

/**
 * Generation, twice: a naive loop that re-reads the whole sequence every step, and a cached loop that
 * reads each token once. Same signature, same records, same tokens; the lines that differ are marked
 * `// ← naive` and `// ← cached`.
 *
 * Block size: generation STOPS (it never slides the window) when the sequence has filled the context.
 * The last record then has `stopReason: 'blockSize'`. Sliding would silently change what the model
 * sees and invalidate every cached key (their positions shift), which is a different lesson.
 */

export interface GenerateOptions {
  /** The most tokens to generate. */
  maxNewTokens: number;
  sampling: SamplingOptions;
  /** What to do when the context is full: only 'stop' (the default) exists; see the module note. */
  onBlockSize?: 'stop';
  /** Stops generation (without error) before the next step starts. */
  signal?: AbortSignal;
  /** Capture this step's attention (or every step's: 'every'), read outside the timed region, into `trace`. */
  traceStep?: number | 'every';
  /** Copy each step's full logits into the record. */
  returnLogits?: boolean;
  /** Cached generator: how the cache stores its rows (default the full float cache; see kvcache-*.ts). */
  cacheKind?: CacheKind;
  /** Cached generator: what to evict after each step (see kvcache-policy.ts); none by default. */
  policy?: CachePolicy;
}

/** One generation step, as plain values. */
export interface StepRecord {
  step: number;
  /** The chosen token and its own decoded text (a partial UTF-8 character shows as U+FFFD). */
  id: number;
  text: string;
  /** See {@link Sample}: probability under the sampled distribution, and under the plain softmax. */
  prob: number;
  rawProb: number;
  /** Wall time of the forward pass plus the awaited logits readback, and nothing else. */
  ms: number;
  /** Positions this step's forward pass computed: naive = the whole sequence; cached = prompt, then 1. */
  processed: number;
  /** Rows in the KV cache after this step (0 for naive) and the bytes its kind really stores. */
  cacheLength: number;
  cacheBytes: number;
  logits?: Float32Array;
  trace?: PlainTrace;
  /** Cached generator with a policy: the positions it evicted after this step (every layer's). */
  evictions?: Eviction[];
  /** Set on the last record: 'maxTokens' (asked-for count reached) or 'blockSize' (context full). */
  stopReason?: 'maxTokens' | 'blockSize';
  /**
   * Cached generator only: the live cache after this step, for inspection (e.g. `readCache`). Owned by
   * the generator and valid only until the next `next()` call — await any reads before continuing.
   */
  cache?: KVCache;
}

export class EmptyPromptError extends Error {
  override name = 'EmptyPromptError';
  constructor() {
    super('The prompt is empty: type some text for the model to continue.');
  }
}

/**
 * The logits held NaN or ±Infinity. The model's weights are finite (the loader checks their files), so
 * this is the backend: e.g. a WebGL device with half-precision textures overflows. The fix is another
 * backend, not another prompt.
 */
export class NonFiniteLogitsError extends Error {
  override name = 'NonFiniteLogitsError';
  constructor(
    readonly step: number,
    readonly index: number,
    readonly value: number,
  ) {
    super(`This backend produced invalid numbers (logit ${index} is ${value} at step ${step}) — try another backend.`);
  }
}

/** Throws NonFiniteLogitsError at the first NaN or ±Infinity; one pass over the array already read back. */
export function checkFiniteLogits(logits: Float32Array, step: number): void {
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) throw new NonFiniteLogitsError(step, i, logits[i]);
  }
}

export interface PreparedPrompt {
  ids: number[];
  /** Tokens cut from the left so the prompt fits the context (0 if none). */
  truncated: number;
  notice?: string;
}

/** Keeps the last blockSize tokens (cut from the left); an empty prompt throws EmptyPromptError. */
export function fitPrompt(ids: readonly number[], c: GPTConfig): PreparedPrompt {
  if (ids.length === 0) throw new EmptyPromptError();
  const truncated = Math.max(0, ids.length - c.blockSize);
  if (truncated === 0) return { ids: [...ids], truncated };
  const notice =
    `The prompt is ${ids.length} tokens but the model sees at most ${c.blockSize}: ` +
    `the first ${truncated} were cut, and only one new token fits before the context is full.`;
  return { ids: ids.slice(truncated), truncated, notice };
}

/** Encodes text and fits it to the context: see {@link fitPrompt}. */
export function preparePrompt(tokenizer: Tokenizer, text: string, c: GPTConfig): PreparedPrompt {
  return fitPrompt(tokenizer.encode(text), c);
}

/**
 * Runs forward on `input` and reads the last position's logits back; only this is timed. Non-finite
 * logits throw NonFiniteLogitsError (after the timing), freeing this step's tensors.
 */
async function timedStep(model: GPT, step: number, input: number[], cache: KVCache | null, trace: boolean, weights = false) {
  const t0 = performance.now();
  const idx = tf.tensor2d(input, [1, input.length], 'int32'); // [1, T]
  let out: ForwardResult | undefined;
  try {
    out = forward(model, idx, cache, { logits: 'last', trace, weights });
    const logits = (await out.logits.data()) as Float32Array; // [V]
    const ms = performance.now() - t0;
    checkFiniteLogits(logits, step); // argmax over NaN would silently pick token 0
    return { logits, ms, cache: out.cache, trace: out.trace, weights: out.weights };
  } catch (err) {
    disposeCache(out?.cache);
    for (const layer of out?.trace ?? []) tf.dispose(Object.values(layer));
    tf.dispose(out?.weights ?? []);
    throw err;
  } finally {
    idx.dispose();
    out?.logits.dispose();
  }
}

/** Everything after the timed region: sample, read the trace, build the record. */
async function finishStep(
  step: { step: number; ms: number; processed: number; logits: Float32Array; trace?: AttentionTrace[]; evictions?: Eviction[] },
  ids: number[],
  cache: KVCache | null,
  ctx: { tokenizer: Tokenizer; opts: GenerateOptions; rng: Rng; c: GPTConfig },
): Promise<StepRecord> {
  const s = sampleToken(step.logits, ctx.opts.sampling, ctx.rng);
  ids.push(s.id);
  const last = step.step + 1 >= ctx.opts.maxNewTokens;
  const full = ids.length > ctx.c.blockSize; // the next step would need blockSize + 1 positions
  return {
    step: step.step,
    id: s.id,
    text: ctx.tokenizer.decode([s.id]),
    prob: s.prob,
    rawProb: s.rawProb,
    ms: step.ms,
    processed: step.processed,
    cacheLength: cache?.length ?? 0,
    cacheBytes: cache ? cacheBytes(cache) : 0,
    ...(ctx.opts.returnLogits ? { logits: step.logits } : {}),
    ...(step.trace ? { trace: await readTrace(step.trace) } : {}),
    ...(step.evictions ? { evictions: step.evictions } : {}),
    ...(last ? { stopReason: 'maxTokens' as const } : full ? { stopReason: 'blockSize' as const } : {}),
    ...(cache ? { cache } : {}),
  };
}

const traces = (opts: GenerateOptions, step: number) => opts.traceStep === 'every' || step === opts.traceStep;

/** Without a cache: every step sends the whole sequence through the model again. */
export async function* generateNaive(
  model: GPT,
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  opts: GenerateOptions,
): AsyncGenerator<StepRecord> {
  const ids = fitPrompt(promptIds, model.config).ids;
  const ctx = { tokenizer, opts, rng: createRng(opts.sampling.seed ?? 0), c: model.config };
  const cache: KVCache | null = null; // ← naive: nothing is kept between steps
  try {
    for (let step = 0; step < opts.maxNewTokens && ids.length <= model.config.blockSize; step++) {
      if (opts.signal?.aborted) return;
      const input = ids; // ← naive: the whole sequence, every step
      const r = await timedStep(model, step, input, cache, traces(opts, step));
      const record = await finishStep({ step, processed: input.length, ...r }, ids, cache, ctx);
      yield record;
    }
  } finally {
    disposeCache(cache); // nothing to free: kept for symmetry with the cached loop
  }
}

/** With a KV cache: the prompt is read once (prefill), then each step sends only the newest token. */
export async function* generateCached(
  model: GPT,
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  opts: GenerateOptions,
): AsyncGenerator<StepRecord> {
  const ids = fitPrompt(promptIds, model.config).ids;
  const ctx = { tokenizer, opts, rng: createRng(opts.sampling.seed ?? 0), c: model.config };
  let cache: KVCache = emptyCache(model.config, opts.cacheKind); // ← cached: an empty cache, filled by the prefill
  try {
    for (let step = 0; step < opts.maxNewTokens && ids.length <= model.config.blockSize; step++) {
      if (opts.signal?.aborted) return;
      const input = step === 0 ? ids : ids.slice(-1); // ← cached: the prompt once, then one token
      const r = await timedStep(model, step, input, cache, traces(opts, step), opts.policy?.type === 'h2o');
      disposeCache(cache); // ← cached: the old cache is replaced; free it at once
      cache = r.cache!; // ← cached
      const evicted = cache.evictions.length;
      if (opts.policy) cache = applyPolicy(cache, opts.policy, r.weights && (await attentionMass(r.weights)));
      const evictions = opts.policy ? cache.evictions.slice(evicted) : undefined;
      const record = await finishStep({ step, processed: input.length, ...r, evictions }, ids, cache, ctx);
      yield record;
    }
  } finally {
    disposeCache(cache); // ← cached: also on break, abort or error
  }
}
