import { windowLoss } from '../gpt/evaluate';
import type { GPT } from '../gpt/forward';
import { evalWindows } from './data';

/**
 * Mean next-token loss (nats per token) over consecutive windows of the stream, batchSize windows per
 * forward pass, and tokens scored: lib/gpt's windowLoss over {@link evalWindows}.
 */
export async function meanLoss(
  model: GPT,
  tokens: Int32Array,
  opts: { batchSize: number; blockSize?: number; maxBatches?: number },
): Promise<{ loss: number; tokens: number }> {
  const T = opts.blockSize ?? model.config.blockSize;
  const { nats, tokens: count } = await windowLoss(model, evalWindows(tokens, opts.batchSize, T, opts.maxBatches));
  return { loss: nats / count, tokens: count };
}

/**
 * The unigram baseline: cross-entropy (nats per token) of `evalTokens` under token frequencies
 * counted on `trainTokens`, with add-one smoothing so unseen tokens cost a finite amount.
 */
export function unigramLoss(trainTokens: Int32Array, evalTokens: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const t of trainTokens) counts[t]++;
  const total = trainTokens.length + vocabSize;
  let nll = 0;
  for (const t of evalTokens) nll -= Math.log(counts[t] / total);
  return nll / evalTokens.length;
}
