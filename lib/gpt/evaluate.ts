import * as tf from '@tensorflow/tfjs-core';
import { forward, type GPT } from './forward';
import { EmptyPromptError } from './generate';
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

/**
 * Mean next-token loss of a text: non-overlapping windows of up to blockSize inputs, each predicting
 * the token after every position (logits 'all'). Per character divides the same total by the
 * characters after the first token, so tokenizers with different vocabularies compare fairly.
 */
export async function textLoss(model: GPT, tokenizer: Tokenizer, text: string): Promise<TextLoss> {
  const ids = tokenizer.encode(text);
  if (ids.length < 2) throw new EmptyPromptError();
  const B = model.config.blockSize;
  let nats = 0;
  let count = 0;
  for (let s = 0; s + 1 < ids.length; s += B) {
    const x = ids.slice(s, Math.min(s + B, ids.length - 1)); // [T] inputs
    const y = ids.slice(s + 1, s + 1 + x.length); // [T] the next token at each input
    const loss = tf.tidy(() => {
      const { logits } = forward(model, tf.tensor2d(x, [1, x.length], 'int32'), null, { logits: 'all' }); // [1, T, V]
      return crossEntropy(logits, tf.tensor2d(y, [1, y.length], 'int32'));
    });
    nats += (await loss.data())[0] * x.length;
    count += x.length;
    loss.dispose();
  }
  const characters = text.length - tokenizer.decode([ids[0]]).length;
  return { tokens: count, characters, lossPerToken: nats / count, lossPerChar: nats / characters };
}
