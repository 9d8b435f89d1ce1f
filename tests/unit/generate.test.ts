import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headSize } from '../../lib/gpt/config';
import { EmptyPromptError, generateCached, generateNaive, preparePrompt, type StepRecord } from '../../lib/gpt/generate';
import { cacheInfo, readCache } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import { traceForward } from '../../lib/gpt/trace';
import { bytes, maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

const model = tinyModel({ nLayer: 2, nHead: 4, nKvHead: 2, nEmbd: 32, blockSize: 96 }, 3);
afterAll(() => disposeWeights(model.weights));

async function collect(gen: AsyncGenerator<StepRecord>): Promise<StepRecord[]> {
  const out: StepRecord[] = [];
  for await (const r of gen) out.push({ ...r, cache: undefined });
  return out;
}

const prompt = bytes.encode('It is a truth');

describe('naive and cached generation', () => {
  it('give identical greedy tokens for 64 steps, with logits within 1e-4 at every step', async () => {
    const opts = { maxNewTokens: 64, sampling: {}, returnLogits: true };
    const naive = await collect(generateNaive(model, bytes, prompt, opts));
    const cached = await collect(generateCached(model, bytes, prompt, opts));
    expect(naive).toHaveLength(64);
    expect(cached.map((r) => r.id)).toEqual(naive.map((r) => r.id));
    expect(new Set(naive.map((r) => r.id)).size).toBeGreaterThan(3); // not a degenerate repeat
    for (let s = 0; s < 64; s++) expect(maxAbsDiff(cached[s].logits!, naive[s].logits!)).toBeLessThan(1e-4);
    expect(naive.at(-1)!.stopReason).toBe('maxTokens');
  });

  it('give the same sampled tokens for the same seed and settings', async () => {
    const opts = { maxNewTokens: 30, sampling: { temperature: 1.2, topK: 40, topP: 0.9, seed: 42 } };
    const naive = await collect(generateNaive(model, bytes, prompt, opts));
    const cached = await collect(generateCached(model, bytes, prompt, opts));
    expect(cached.map((r) => r.id)).toEqual(naive.map((r) => r.id));
    const other = await collect(generateCached(model, bytes, prompt, { ...opts, sampling: { ...opts.sampling, seed: 43 } }));
    expect(other.map((r) => r.id)).not.toEqual(cached.map((r) => r.id));
  });

  it('report processed positions: naive the whole sequence, cached the prompt then 1', async () => {
    const opts = { maxNewTokens: 5, sampling: {} };
    const naive = await collect(generateNaive(model, bytes, prompt, opts));
    const cached = await collect(generateCached(model, bytes, prompt, opts));
    const P = prompt.length;
    expect(naive.map((r) => r.processed)).toEqual([P, P + 1, P + 2, P + 3, P + 4]);
    expect(cached.map((r) => r.processed)).toEqual([P, 1, 1, 1, 1]);
    expect(naive.every((r) => r.cacheLength === 0 && r.cacheBytes === 0)).toBe(true);
    for (const r of [...naive, ...cached]) expect(r.ms).toBeGreaterThan(0);
  });
});

describe('the cache during generation', () => {
  it('grows by exactly one row per decode step, with bytes 2·nLayer·nKvHead·hs·T·4', async () => {
    const c = model.config;
    const P = prompt.length;
    let step = 0;
    for await (const r of generateCached(model, bytes, prompt, { maxNewTokens: 8, sampling: {} })) {
      expect(r.cacheLength).toBe(P + step);
      expect(r.cacheBytes).toBe(2 * c.nLayer * c.nKvHead * headSize(c) * (P + step) * 4);
      const info = cacheInfo(r.cache!);
      expect(info.layers[0].k).toEqual([c.nKvHead, P + step, headSize(c)]);
      if (step === 2) {
        const plain = await readCache(r.cache!);
        expect(plain).toHaveLength(c.nLayer);
        expect(plain[1].v[0]).toHaveLength(P + 2);
        expect(plain[1].v[0][0]).toHaveLength(headSize(c));
      }
      step++;
    }
    expect(step).toBe(8);
  });

  it('returns tf.memory().numTensors to where it was after 100 steps, breaks and aborts', async () => {
    const big = tinyModel({ nLayer: 1, nHead: 2, nKvHead: 1, nEmbd: 16, blockSize: 128 }, 4);
    const before = tf.memory().numTensors;
    const opts = { maxNewTokens: 100, sampling: { temperature: 1, seed: 1 }, traceStep: 3 };
    const small = bytes.encode('Hi');
    for (const gen of [generateNaive, generateCached]) {
      const recs = await collect(gen(big, bytes, small, opts));
      expect(recs).toHaveLength(100);
      expect(recs[99].stopReason).toBe('maxTokens');
      for await (const r of gen(big, bytes, small, opts)) if (r.step === 10) break;
    }
    const ctrl = new AbortController();
    let n = 0;
    for await (const r of generateCached(big, bytes, small, { ...opts, signal: ctrl.signal })) {
      n = r.step + 1;
      if (r.step === 4) ctrl.abort();
    }
    expect(n).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
    disposeWeights(big.weights);
  });
});

describe('context limits and prompts', () => {
  it('stops at blockSize with stopReason "blockSize" and never throws', async () => {
    const c = model.config;
    const P = 90;
    const ids = Array.from({ length: P }, (_, i) => (i * 7) % 256);
    for (const gen of [generateNaive, generateCached]) {
      const recs = await collect(gen(model, bytes, ids, { maxNewTokens: 50, sampling: {} }));
      expect(recs).toHaveLength(c.blockSize - P + 1); // the last one is read from a full context
      expect(recs.at(-1)!.stopReason).toBe('blockSize');
      expect(recs.slice(0, -1).every((r) => r.stopReason === undefined)).toBe(true);
    }
  });

  it('cuts a long prompt from the left and says so', () => {
    const text = 'x'.repeat(10) + 'y'.repeat(96);
    const p = preparePrompt(bytes, text, model.config);
    expect(p.ids).toHaveLength(96);
    expect(p.truncated).toBe(10);
    expect(p.ids.every((id) => id === 'y'.charCodeAt(0))).toBe(true);
    expect(p.notice).toMatch(/first 10 were cut/);
    expect(preparePrompt(bytes, 'short', model.config)).toEqual({ ids: bytes.encode('short'), truncated: 0 });
  });

  it('rejects an empty prompt with EmptyPromptError telling the user to type something', async () => {
    expect(() => preparePrompt(bytes, '', model.config)).toThrow(EmptyPromptError);
    expect(() => preparePrompt(bytes, '', model.config)).toThrow(/type some text/);
    await expect(generateCached(model, bytes, [], { maxNewTokens: 1, sampling: {} }).next()).rejects.toThrow(EmptyPromptError);
  });
});

describe('tracing', () => {
  it('traceStep captures plain attention arrays with -Infinity above the diagonal', async () => {
    const recs = await collect(generateNaive(model, bytes, prompt, { maxNewTokens: 3, sampling: {}, traceStep: 0 }));
    expect(recs[1].trace).toBeUndefined();
    const t = recs[0].trace!;
    const P = prompt.length;
    expect(t).toHaveLength(model.config.nLayer);
    expect(t[0].weights).toHaveLength(model.config.nHead);
    expect(t[0].masked[0][0][1]).toBe(-Infinity);
    expect(t[0].weights[0][0][0]).toBeCloseTo(1, 5);
    expect(t[0].k).toHaveLength(model.config.nKvHead);
    const row = t[1].weights[2][P - 1];
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const direct = await traceForward(model, prompt);
    expect(maxAbsDiff(direct[1].weights[2][P - 1], row)).toBeLessThan(1e-6);
  });
});
