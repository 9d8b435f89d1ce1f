/**
 * Helpers for the "Fewer key/value heads" lesson: which query heads share which key/value head, and
 * one model's loss and cache size measured on a held-out passage. No React: the Web Worker can call
 * `measureModel` as it is.
 */
import type { GPT, Tokenizer } from '@/lib/gpt';
import { bytesPerToken } from './cache-size';

/**
 * For each query head h, the key/value head it reads: floor(h / (nHead / nKvHead)), the grouping
 * lib/gpt's attention uses (consecutive query heads share a key/value head).
 */
export function kvHeadOf(nHead: number, nKvHead: number): number[] {
  if (!Number.isInteger(nHead) || !Number.isInteger(nKvHead) || nKvHead < 1 || nHead % nKvHead !== 0) {
    throw new RangeError(`nKvHead (${nKvHead}) must divide nHead (${nHead})`);
  }
  const group = nHead / nKvHead;
  return Array.from({ length: nHead }, (_, h) => Math.floor(h / group));
}

export interface ModelMeasurement {
  nHead: number;
  nKvHead: number;
  /** Mean next-token loss on the passage, in nats (per token and per character). */
  lossPerToken: number;
  lossPerChar: number;
  tokens: number;
  characters: number;
  /** Bytes per cached position, read from a real cache after a prefill of `cacheLength` positions. */
  cacheBytesPerToken: number;
  cacheLength: number;
  /** The same from the formula (float32), for comparison. */
  formulaBytesPerToken: number;
}

/**
 * Loss of `model` on `text` (lib/gpt's `textLoss`: windows of blockSize tokens) and the bytes its
 * cache holds per position after a prefill of the passage's first positions. Frees every tensor.
 */
export async function measureModel(model: GPT, tokenizer: Tokenizer, text: string): Promise<ModelMeasurement> {
  const gpt = await import('@/lib/gpt');
  const loss = await gpt.textLoss(model, tokenizer, text);
  const c = model.config;
  const prompt = tokenizer.encode(text).slice(0, c.blockSize - 1);
  const gen = gpt.generateCached(model, tokenizer, prompt, { maxNewTokens: 1, sampling: {} });
  let cacheBytes = 0;
  let cacheLength = 0;
  try {
    const first = await gen.next();
    if (!first.done) ({ cacheBytes, cacheLength } = first.value);
  } finally {
    await gen.return(undefined);
  }
  return {
    nHead: c.nHead,
    nKvHead: c.nKvHead,
    lossPerToken: loss.lossPerToken,
    lossPerChar: loss.lossPerChar,
    tokens: loss.tokens,
    characters: loss.characters,
    cacheBytesPerToken: cacheLength > 0 ? cacheBytes / cacheLength : 0,
    cacheLength,
    formulaBytesPerToken: bytesPerToken({ kind: 'kv', nLayer: c.nLayer, nKvHead: c.nKvHead, headSize: c.nEmbd / c.nHead }, 'fp32'),
  };
}

/** The held-out passage shipped in public/data/val-passage.json. */
export interface ValPassage {
  source: string;
  rule: string;
  characters: number;
  text: string;
}

/** Checks the passage file's shape, so a broken file is a clear message rather than NaN losses. */
export function parseValPassage(json: unknown): ValPassage {
  const j = json as Partial<ValPassage> | null;
  if (!j || typeof j.text !== 'string' || j.text.length < 2 || typeof j.source !== 'string') {
    throw new Error('val-passage.json does not hold a passage (expected { source, rule, characters, text })');
  }
  return { source: j.source, rule: String(j.rule ?? ''), characters: j.text.length, text: j.text };
}
