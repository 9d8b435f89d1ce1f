import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFiniteLogits, generateCached, generateNaive, NonFiniteLogitsError } from '../../lib/gpt/generate';
import { disposeWeights } from '../../lib/gpt/params';
import { generationMessage } from '../../lib/hooks/useGeneration';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

/**
 * A backend that overflows (e.g. WebGL with half-precision textures) gives NaN logits, and argmax over
 * NaN silently picks token 0. Poisoning one LayerNorm gain stands in for such a backend: every logit
 * of every position becomes NaN.
 */
const model = tinyModel({ nLayer: 1, nHead: 2, nKvHead: 2, nEmbd: 8, blockSize: 16 }, 5);
beforeAll(async () => {
  await useCpu();
  const gain = model.weights['ln_f.weight'];
  model.weights['ln_f.weight'] = tf.fill(gain.shape, NaN);
  gain.dispose();
});
afterAll(() => disposeWeights(model.weights));

describe('non-finite logits', () => {
  for (const [mode, gen] of [
    ['cached', generateCached],
    ['naive', generateNaive],
  ] as const) {
    it(`${mode} generation throws NonFiniteLogitsError at the first step and frees its tensors`, async () => {
      const before = tf.memory().numTensors;
      const steps = gen(model, bytes, bytes.encode('Emma'), { maxNewTokens: 3, sampling: {} });
      const err = await steps.next().then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(NonFiniteLogitsError);
      expect(err!.message).toBe('This backend produced invalid numbers (logit 0 is NaN at step 0) — try another backend.');
      expect((await steps.next()).done).toBe(true); // the generator finished; its cache is freed
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('names the first bad logit, Infinity too, and passes finite ones', () => {
    expect(() => checkFiniteLogits(Float32Array.of(0.5, -3, Infinity, NaN), 7)).toThrow(/logit 2 is Infinity at step 7/);
    expect(() => checkFiniteLogits(Float32Array.of(-Infinity), 0)).toThrow(NonFiniteLogitsError);
    expect(() => checkFiniteLogits(Float32Array.of(-1e38, 0, 3.4e38), 0)).not.toThrow();
  });

  it('the cell tells the reader to try another backend', () => {
    expect(generationMessage(new NonFiniteLogitsError(0, 0, NaN))).toEqual({
      kind: 'backend',
      text: 'This backend produced invalid numbers — try another backend below.',
    });
  });
});
