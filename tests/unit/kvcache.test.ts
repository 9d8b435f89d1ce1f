import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../lib/gpt/forward';
import { cacheBytes, cacheBytesFor, disposeCache, emptyCache, type KVCache, readCache } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import { maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

const ids = Array.from({ length: 23 }, (_, i) => (i * 37 + 5) % 256);

describe('KV cache', () => {
  it('chunked prefill (3 chunks of 5, 11, 7) equals a one-pass prefill: logits and cache within 1e-5', async () => {
    const model = tinyModel({ nKvHead: 2, blockSize: 32 }, 2);
    const one = forward(model, tf.tensor2d(ids, [1, 23], 'int32'), emptyCache(model.config));
    const oneLast = (await one.logits.array())[0][22];
    let cache: KVCache = emptyCache(model.config);
    let last: number[] = [];
    for (const [a, b] of [
      [0, 5],
      [5, 16],
      [16, 23],
    ]) {
      const chunk = ids.slice(a, b);
      const out = forward(model, tf.tensor2d(chunk, [1, chunk.length], 'int32'), cache, { logits: 'last' });
      disposeCache(cache);
      cache = out.cache!;
      last = (await out.logits.array())[0][0];
      out.logits.dispose();
    }
    expect(cache.length).toBe(23);
    expect(maxAbsDiff(last, oneLast)).toBeLessThan(1e-5);
    const [x, y] = [await readCache(one.cache!), await readCache(cache)];
    for (let l = 0; l < x.length; l++) {
      expect(maxAbsDiff(x[l].k.flat(2), y[l].k.flat(2))).toBeLessThan(1e-5);
      expect(maxAbsDiff(x[l].v.flat(2), y[l].v.flat(2))).toBeLessThan(1e-5);
    }
    disposeCache(cache);
    disposeCache(one.cache);
    disposeWeights(model.weights);
    tf.disposeVariables();
  });

  it('a GQA cache is nHead/nKvHead times smaller than the MHA one for the same T', () => {
    const bytesAt = (nKvHead: number) => {
      const model = tinyModel({ nHead: 4, nKvHead, blockSize: 32 }, 1);
      const out = forward(model, tf.tensor2d(ids.slice(0, 10), [1, 10], 'int32'), emptyCache(model.config));
      const b = cacheBytes(out.cache!);
      expect(b).toBe(cacheBytesFor(model.config, 10));
      expect(b).toBe(2 * 2 * nKvHead * 8 * 10 * 4);
      disposeCache(out.cache);
      out.logits.dispose();
      disposeWeights(model.weights);
      return b;
    };
    const mha = bytesAt(4);
    expect(mha / bytesAt(2)).toBe(2);
    expect(mha / bytesAt(1)).toBe(4);
  });
});
