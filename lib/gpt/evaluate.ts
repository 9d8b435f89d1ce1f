import * as tf from '@tensorflow/tfjs-core';
import { forward, type GPT } from './forward';
import { EmptyPromptError } from './generate';
import { cacheBytes, type CacheKind, disposeCache, emptyCache } from './kvcache';
import { applyPolicy, attentionMass, type CachePolicy } from './kvcache-policy';
import { crossEntropy } from './loss';
import type { Tokenizer } from './tokenizer';

export interface TextLoss {
  /** Tokens predicted (every token but the first) and the characters they cover. */
  tokens: number;
  characters: number;
  /** Mean cross-entropy in nats. */
  lossPerToken: number;
  lossPerChar: number;
}

/** B windows of T token ids each, row-major, and for every input the token that follows it. */
export interface TokenWindows {
  x: Int32Array | number[]; // [B·T] inputs
  y: Int32Array | number[]; // [B·T] next tokens
  B: number;
  T: number;
}

/**
 * Total next-token loss over windows of tokens, by plain forward passes (no cache, logits at every
 * position), and the tokens scored: the one implementation of "next-token loss over windows". Its
 * callers differ only in the windows they cut: {@link textLoss} scores every token of a text, and
 * training's evaluation (lib/train/evaluate.ts meanLoss) the consecutive full windows of a token
 * stream, in batches. {@link cachedLoss} is the same measurement read through a cache.
 */
export async function windowLoss(model: GPT, windows: Iterable<TokenWindows>): Promise<{ nats: number; tokens: number }> {
  let nats = 0;
  let tokens = 0;
  for (const { x, y, B, T } of windows) {
    const loss = tf.tidy(() => {
      const { logits } = forward(model, tf.tensor2d(x, [B, T], 'int32'), null, { logits: 'all' }); // [B, T, V]
      return crossEntropy(logits, tf.tensor2d(y, [B, T], 'int32')); // mean over B·T
    });
    nats += (await loss.data())[0] * B * T;
    tokens += B * T;
    loss.dispose();
  }
  return { nats, tokens };
}

/**
 * Mean next-token loss of a text: non-overlapping windows of up to blockSize inputs, each predicting
 * the token after every position (logits 'all'). Unlike training's evaluation the last, shorter window
 * is scored too, so that every token after the first counts, however short the text. Per character
 * divides the same total by the characters after the first token, so tokenizers with different
 * vocabularies compare fairly.
 */
export async function textLoss(model: GPT, tokenizer: Tokenizer, text: string): Promise<TextLoss> {
  const ids = tokenizer.encode(text);
  if (ids.length < 2) throw new EmptyPromptError();
  const { nats, tokens } = await windowLoss(model, textWindows(ids, model.config.blockSize));
  const characters = text.length - tokenizer.decode([ids[0]]).length;
  return { tokens, characters, lossPerToken: nats / tokens, lossPerChar: nats / characters };
}

/** A text's windows for {@link textLoss}, one per batch: blockSize inputs each, the last one shorter. */
function* textWindows(ids: number[], blockSize: number): Generator<TokenWindows> {
  for (let s = 0; s + 1 < ids.length; s += blockSize) {
    const x = ids.slice(s, Math.min(s + blockSize, ids.length - 1)); // [T] inputs
    const y = ids.slice(s + 1, s + 1 + x.length); // [T] the next token at each input
    yield { x, y, B: 1, T: x.length };
  }
}

export interface CachedLossOptions {
  /** How the cache stores rows (default: the full float cache). */
  cacheKind?: CacheKind;
  /** What to evict after each step (default: nothing). */
  policy?: CachePolicy;
  /**
   * 'decode' (default): one token per forward pass, the policy applied after each — what generation
   * does. 'prefill': each window in one pass into an empty cache of the kind, which is the same
   * arithmetic for kinds that store each row on its own (full, per-token int, latent) and much faster;
   * not allowed with a policy, and not the same for KIVI (its key groups would see later tokens).
   */
  mode?: 'decode' | 'prefill';
  /** Score only the first N windows. */
  maxWindows?: number;
  /** Called after each window with windows done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between windows; the result covers the windows finished. */
  signal?: AbortSignal;
}

export interface CachedLoss {
  /** Tokens predicted and windows scored. */
  tokens: number;
  windows: number;
  /** Mean cross-entropy in nats per token. */
  lossPerToken: number;
  /** Cache bytes per cached position, and the most bytes the cache held, at the end of the last window. */
  bytesPerPosition: number;
  peakBytes: number;
  /** Positions held at the end of the last window (the budget, for a policy). */
  rowsHeld: number;
}

/** −log softmax(logits)[target], in float64. */
function nll(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return Math.log(sum) + max - logits[target];
}

/**
 * Next-token loss of a token stream read through a cache kind and policy: the stream is cut into
 * consecutive, non-overlapping windows of blockSize + 1 tokens (the last partial one dropped),
 * exactly as training's evaluation does (lib/train/data.ts evalWindows), and each window starts from
 * an empty cache. With the full cache and no policy this is the model card's validation loss.
 *
 * It does not call {@link windowLoss}: the loss has to be read where the cache is, one token per
 * forward pass in decode mode, so each window's logits come back to JavaScript and are scored in
 * float64 ({@link nll}) instead of by crossEntropy's float32 mean. With the full cache the two agree
 * to float32 rounding (a test holds them together).
 */
export async function cachedLoss(model: GPT, tokens: ArrayLike<number>, opts: CachedLossOptions = {}): Promise<CachedLoss> {
  const T = model.config.blockSize;
  if (opts.mode === 'prefill' && opts.policy)
    throw new RangeError('prefill mode reads each window in one pass: a policy needs decode mode');
  const total = Math.min(Math.floor((tokens.length - 1) / T), opts.maxWindows ?? Infinity);
  const r = { nats: 0, count: 0, windows: 0, bytes: 0, rows: 0, peak: 0 };
  for (let w = 0; w < total && !opts.signal?.aborted; w++) {
    const x = Array.from({ length: T }, (_, t) => tokens[w * T + t]); // [T] inputs
    const y = Array.from({ length: T }, (_, t) => tokens[w * T + t + 1]); // [T] next tokens
    const out = opts.mode === 'prefill' ? await prefillWindow(model, x, y, opts) : await decodeWindow(model, x, y, opts);
    Object.assign(r, {
      nats: r.nats + out.nats,
      count: r.count + T,
      windows: w + 1,
      bytes: out.bytes,
      rows: out.rows,
      peak: Math.max(r.peak, out.peak),
    });
    opts.onProgress?.(w + 1, total);
  }
  if (r.count === 0) throw new EmptyPromptError();
  return {
    tokens: r.count,
    windows: r.windows,
    lossPerToken: r.nats / r.count,
    bytesPerPosition: r.bytes / r.rows,
    peakBytes: r.peak,
    rowsHeld: r.rows,
  };
}

type WindowLoss = { nats: number; bytes: number; rows: number; peak: number };

async function decodeWindow(model: GPT, x: number[], y: number[], opts: CachedLossOptions): Promise<WindowLoss> {
  let cache = emptyCache(model.config, opts.cacheKind);
  let nats = 0;
  let peak = 0;
  try {
    for (let t = 0; t < x.length; t++) {
      const idx = tf.tensor2d([x[t]], [1, 1], 'int32');
      const out = forward(model, idx, cache, { logits: 'last', weights: opts.policy?.type === 'h2o' });
      idx.dispose();
      disposeCache(cache);
      cache = out.cache!;
      const logits = (await out.logits.data()) as Float32Array; // [V]
      out.logits.dispose();
      peak = Math.max(peak, cacheBytes(cache));
      if (opts.policy) cache = applyPolicy(cache, opts.policy, out.weights && (await attentionMass(out.weights)));
      nats += nll(logits, y[t]);
    }
    return { nats, bytes: cacheBytes(cache), rows: cache.length, peak };
  } finally {
    disposeCache(cache);
  }
}

async function prefillWindow(model: GPT, x: number[], y: number[], opts: CachedLossOptions): Promise<WindowLoss> {
  const idx = tf.tensor2d(x, [1, x.length], 'int32');
  const out = forward(model, idx, emptyCache(model.config, opts.cacheKind), { logits: 'all' });
  idx.dispose();
  try {
    const logits = (await out.logits.data()) as Float32Array; // [T·V]
    const V = model.config.vocabSize;
    let nats = 0;
    for (let t = 0; t < x.length; t++) nats += nll(logits.subarray(t * V, (t + 1) * V), y[t]);
    const bytes = cacheBytes(out.cache!);
    return { nats, bytes, rows: out.cache!.length, peak: bytes };
  } finally {
    out.logits.dispose();
    disposeCache(out.cache);
  }
}
