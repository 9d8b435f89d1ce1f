import { type GPTConfig, validateConfig } from './config';
import type { GPT } from './forward';
import { cacheBytesFor } from './kvcache';
import { countParams, initWeights } from './params';

/**
 * Timing models: the lab's GPT code at a larger shape, with random weights drawn from a seed on the
 * device (nothing to download; vLLM's benchmarks do the same with `--load-format dummy`). A step's
 * time does not depend on the weights' values, so these time the cache's win at sizes where it
 * shows — but the tokens they choose are meaningless.
 */

/** The device cannot hold a model: `needBytes` against `availableBytes` (both stated in the message). */
export class ModelMemoryError extends Error {
  override name = 'ModelMemoryError';
  constructor(
    readonly needBytes: number,
    readonly availableBytes: number,
    readonly source: string,
  ) {
    super(
      `this model needs about ${(needBytes / 2 ** 20).toFixed(0)} MiB but ${source} offers ` +
        `${(availableBytes / 2 ** 20).toFixed(0)} MiB — ` +
        'choose a smaller size, or close other tabs and programs and try again',
    );
  }
}

/**
 * Bytes a timing run holds at its peak: the weights, the fast path's prepared copies (c_attn twice —
 * fused and as q, k, v — c_fc and the head: (3 + 3 + 4)·C² per layer + V·C, plus a naive pass's [blockSize²] mask), a full cache twice (the old and
 * the new value live together for one step), and the naive pass's biggest activation, its attention
 * scores [nh, T, T], a few times over. An estimate, generous on purpose.
 */
export function timingModelBytes(c: GPTConfig): number {
  const C = c.nEmbd;
  const weights = countParams(c) * 4;
  const prepared = (c.nLayer * 10 * C * C + c.vocabSize * C + c.blockSize * c.blockSize) * 4;
  const cache = 2 * cacheBytesFor(c, c.blockSize);
  const scores = 4 * c.nHead * c.blockSize * c.blockSize * 4;
  return weights + prepared + cache + scores;
}

/**
 * Checks the memory first (`available` is what the caller measured: free RAM in Node, the wasm heap's
 * limit or the GPU's buffer budget in a browser), then draws the weights. Throws ModelMemoryError
 * before allocating anything when the model would not fit.
 */
export function timingModel(config: GPTConfig, seed: number, available?: { bytes: number; source: string }): GPT {
  validateConfig(config);
  const need = timingModelBytes(config);
  if (available && need > available.bytes) throw new ModelMemoryError(need, available.bytes, available.source);
  return { config, weights: initWeights(config, seed) };
}
