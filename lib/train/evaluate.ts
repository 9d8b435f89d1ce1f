import * as tf from '@tensorflow/tfjs-core';
import { forward, type GPT } from '../gpt/forward';
import { crossEntropy } from '../gpt/loss';
import { evalWindows } from './data';

/** Mean next-token loss (nats per token) over consecutive windows of the stream, and tokens scored. */
export async function meanLoss(
  model: GPT,
  tokens: Int32Array,
  opts: { batchSize: number; blockSize?: number; maxBatches?: number },
): Promise<{ loss: number; tokens: number }> {
  const T = opts.blockSize ?? model.config.blockSize;
  let total = 0;
  let count = 0;
  for (const b of evalWindows(tokens, opts.batchSize, T, opts.maxBatches)) {
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(b.x, [b.B, T], 'int32');
      const y = tf.tensor2d(b.y, [b.B, T], 'int32');
      return crossEntropy(forward(model, x, null).logits, y);
    });
    total += (await loss.data())[0] * b.B * T;
    count += b.B * T;
    loss.dispose();
  }
  return { loss: total / count, tokens: count };
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
