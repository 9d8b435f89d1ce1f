import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { GPTConfig } from '../../lib/gpt/config';
import type { GPT } from '../../lib/gpt/forward';
import { initWeights } from '../../lib/gpt/params';
import { ByteTokenizer } from '../../lib/gpt/tokenizer';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function tinyConfig(over: Partial<GPTConfig> = {}): GPTConfig {
  return { nLayer: 2, nHead: 4, nKvHead: 4, nEmbd: 32, blockSize: 96, vocabSize: 256, ...over };
}

/** A random model; init weights are scaled up so logits are far from uniform and tokens vary. */
export function tinyModel(over: Partial<GPTConfig> = {}, seed = 1, scale = 10): GPT {
  const config = tinyConfig(over);
  const w = initWeights(config, seed);
  for (const [name, t] of Object.entries(w)) {
    if (name.endsWith('.weight') && !name.includes('ln_')) {
      w[name] = tf.mul(t, scale);
      t.dispose();
    }
  }
  return { config, weights: w };
}

export const bytes = new ByteTokenizer();

/** The one maxAbsDifference, under the name the tests have always used. */
export { maxAbsDifference as maxAbsDiff } from '@/lib/stats';
