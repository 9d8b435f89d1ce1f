/**
 * What a smaller cache costs: one cache kind (quantized, latent, …) measured against the float cache
 * on the same model and text. Used by the quantized-cache and latent-cache lessons; plain functions
 * over lib/gpt with no React, so the Web Worker can run them as they are. Every tensor is freed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT, Tokenizer } from '@/lib/gpt';
import { crossEntropy } from '@/lib/gpt/loss';
import { forward } from '@/lib/gpt/forward';
import { cacheBytes, disposeCache, emptyCache, fullCache, type CacheKind } from '@/lib/gpt/kvcache';
import { generateCached } from '@/lib/gpt/generate';
import { firstDifference, maxAbsDifference } from '@/lib/stats';

export interface KindMeasurement {
  kind: string;
  /** Bytes the kind really stores per position, from a cache of `bytesAt` positions. */
  bytesPerToken: number;
  bytesAt: number;
  /** Largest |logit − float-cache logit| over `compareSteps` decode steps on the same tokens. */
  maxAbsLogitDiff: number;
  compareSteps: number;
  /** Loss on the text with keys and values read through this kind (see `kindTextLoss`). */
  lossPerChar: number;
  lossPerToken: number;
  /** The first generated token (0-based) where greedy generation differs from the float cache's, or null. */
  firstDivergence: number | null;
  generated: number;
}

/**
 * Mean next-token loss of `text` with keys and values stored into a cache of `kind` and read back
 * for attention, window by window (blockSize tokens, like `textLoss`). Each window is one prefill
 * pass into an empty cache, so every query attends to what the kind stores for the whole window —
 * for KIVI that includes its own group's quantized keys, which token-by-token decoding would still
 * hold in float: if anything this is a little harsher than decoding.
 */
export async function kindTextLoss(
  model: GPT,
  tokenizer: Tokenizer,
  text: string,
  kind: CacheKind,
): Promise<{ lossPerToken: number; lossPerChar: number; tokens: number }> {
  const ids = tokenizer.encode(text);
  if (ids.length < 2) throw new RangeError('the text needs at least two tokens');
  const B = model.config.blockSize;
  let nats = 0;
  let count = 0;
  for (let s = 0; s + 1 < ids.length; s += B) {
    const x = ids.slice(s, Math.min(s + B, ids.length - 1)); // [T] inputs
    const y = ids.slice(s + 1, s + 1 + x.length); // [T] next tokens
    const loss = tf.tidy(() => {
      const out = forward(model, tf.tensor2d(x, [1, x.length], 'int32'), emptyCache(model.config, kind), { logits: 'all' }); // [1, T, V]
      disposeCache(out.cache);
      return crossEntropy(out.logits, tf.tensor2d(y, [1, y.length], 'int32'));
    });
    nats += (await loss.data())[0] * x.length;
    count += x.length;
    loss.dispose();
  }
  const characters = text.length - tokenizer.decode([ids[0]]).length;
  return { lossPerToken: nats / count, lossPerChar: nats / characters, tokens: count };
}

/**
 * Feeds the same tokens through a float cache and a `kind` cache, prefill then one token a step,
 * and returns the largest logit difference over all steps and the kind's bytes per position at the end.
 */
export async function decodeComparison(
  model: GPT,
  ids: readonly number[],
  prefill: number,
  kind: CacheKind,
): Promise<{ maxAbsLogitDiff: number; bytesPerToken: number; positions: number }> {
  let full = emptyCache(model.config, fullCache);
  let other = emptyCache(model.config, kind);
  let max = 0;
  try {
    for (let s = 0; s < ids.length; s = s === 0 ? prefill : s + 1) {
      const input = s === 0 ? ids.slice(0, prefill) : [ids[s]];
      const idx = tf.tensor2d([...input], [1, input.length], 'int32');
      const a = forward(model, idx, full, { logits: 'last' });
      const b = forward(model, idx, other, { logits: 'last' });
      idx.dispose();
      disposeCache(full);
      disposeCache(other);
      full = a.cache!;
      other = b.cache!;
      const [la, lb] = await Promise.all([a.logits.data(), b.logits.data()]);
      tf.dispose([a.logits, b.logits]);
      max = Math.max(max, maxAbsDifference(la, lb));
    }
    return { maxAbsLogitDiff: max, bytesPerToken: cacheBytes(other) / other.length, positions: other.length };
  } finally {
    disposeCache(full);
    disposeCache(other);
  }
}

/** Greedy token ids from `prompt` with a cache of `kind`. */
async function greedy(model: GPT, tokenizer: Tokenizer, prompt: readonly number[], n: number, kind: CacheKind): Promise<number[]> {
  const out: number[] = [];
  for await (const r of generateCached(model, tokenizer, prompt, { maxNewTokens: n, sampling: {}, cacheKind: kind })) out.push(r.id);
  return out;
}

/** The first generated token where greedy decoding with `kind` leaves the float cache's text, or null within `n`. */
export async function firstGreedyDivergence(
  model: GPT,
  tokenizer: Tokenizer,
  prompt: readonly number[],
  n: number,
  kind: CacheKind,
): Promise<number | null> {
  const [a, b] = [await greedy(model, tokenizer, prompt, n, fullCache), await greedy(model, tokenizer, prompt, n, kind)];
  const d = firstDifference(a, b);
  return d < 0 ? null : d;
}

export interface MeasureOptions {
  /** Tokens fed in decode steps after the prefill when comparing logits. Default 32. */
  compareSteps?: number;
  /** Prefill length for the logit comparison; a multiple of the quantization group keeps KIVI's residual empty. Default 192. */
  prefill?: number;
  /** Greedy tokens generated to find the first divergence. Default 40. */
  generate?: number;
}

/** Every measure of the quantized and latent lessons for one kind, on `text` (the held-out passage). */
export async function measureKind(
  model: GPT,
  tokenizer: Tokenizer,
  text: string,
  kind: CacheKind,
  o: MeasureOptions = {},
): Promise<KindMeasurement> {
  const { compareSteps = 32, prefill = 192, generate = 40 } = o;
  const ids = tokenizer.encode(text);
  const n = Math.min(ids.length, prefill + compareSteps, model.config.blockSize);
  const cmp = await decodeComparison(model, ids.slice(0, n), Math.min(prefill, n - 1), kind);
  const loss = await kindTextLoss(model, tokenizer, text, kind);
  const prompt = ids.slice(0, 16);
  const firstDivergence = await firstGreedyDivergence(model, tokenizer, prompt, generate, kind);
  return {
    kind: kind.name,
    bytesPerToken: cmp.bytesPerToken,
    bytesAt: cmp.positions,
    maxAbsLogitDiff: cmp.maxAbsLogitDiff,
    compareSteps: n - Math.min(prefill, n - 1),
    lossPerChar: loss.lossPerChar,
    lossPerToken: loss.lossPerToken,
    firstDivergence,
    generated: generate,
  };
}
