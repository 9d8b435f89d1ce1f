import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward, type GPT } from '../../lib/gpt/forward';
import { generateCached } from '../../lib/gpt/generate';
import { generatePaged } from '../../lib/gpt/generate-paged';
import { disposeCache, emptyCache } from '../../lib/gpt/kvcache';
import {
  addSequence,
  createPagedCache,
  disposePaged,
  forkSequence,
  forwardPaged,
  freeSequence,
  type PagedCache,
  PoolExhaustedError,
  poolStats,
  readSequence,
} from '../../lib/gpt/kvcache-paged';
import { disposeWeights } from '../../lib/gpt/params';
import { bytes, maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

let model: GPT;
beforeAll(() => {
  model = tinyModel({ nKvHead: 2, blockSize: 64 }, 7, 2);
});
afterAll(() => disposeWeights(model.weights));

const tokens = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + 5) % 256);

/** Contiguous-cache logits of the last position after each prefix: prefill `prefix`, then one token at a time. */
async function contiguous(prefix: number[], rest: number[]): Promise<number[][]> {
  let cache = emptyCache(model.config);
  const out: number[][] = [];
  for (const chunk of [prefix, ...rest.map((t) => [t])]) {
    const idx = tf.tensor2d(chunk, [1, chunk.length], 'int32');
    const r = forward(model, idx, cache, { logits: 'last' });
    idx.dispose();
    disposeCache(cache);
    cache = r.cache!;
    out.push(Array.from(await r.logits.data()));
    r.logits.dispose();
  }
  disposeCache(cache);
  return out;
}

/** Runs one forwardPaged pass; returns per-sequence logits of the last position. */
async function step(p: PagedCache, ids: string[], input: number[][]): Promise<{ p: PagedCache; logits: number[][] }> {
  const idx = tf.tensor2d(input, [ids.length, input[0].length], 'int32');
  const out = forwardPaged(model, idx, p, ids, { logits: 'last' });
  idx.dispose();
  disposePaged(p);
  const flat = Array.from(await out.logits.data());
  out.logits.dispose();
  const V = model.config.vocabSize;
  return { p: out.cache!, logits: ids.map((_, b) => flat.slice(b * V, (b + 1) * V)) };
}

describe('paged cache', () => {
  it('batched decode of sequences of lengths 5, 17 and 33 equals each one’s contiguous cached decode (max |Δ logit| ≤ 1e-5)', async () => {
    const prompts = [tokens(5, 1), tokens(17, 2), tokens(33, 3)];
    const next = [tokens(6, 4), tokens(6, 5), tokens(6, 6)];
    let p = createPagedCache(model.config, { numBlocks: 12, blockSize: 8 });
    const got: number[][][] = prompts.map(() => []);
    for (const [i, prompt] of prompts.entries()) {
      p = addSequence(p, `s${i}`);
      const r = await step(p, [`s${i}`], [prompt]);
      p = r.p;
      got[i].push(r.logits[0]);
    }
    for (let t = 0; t < 6; t++) {
      const r = await step(
        p,
        ['s0', 's1', 's2'],
        next.map((n) => [n[t]]),
      );
      p = r.p;
      r.logits.forEach((l, i) => got[i].push(l));
    }
    for (const [i, prompt] of prompts.entries()) {
      const want = await contiguous(prompt, next[i]);
      for (let t = 0; t < want.length; t++) expect(maxAbsDiff(got[i][t], want[t])).toBeLessThanOrEqual(1e-5);
    }
    const stats = poolStats(p);
    expect(stats.sequences.map((s) => s.length)).toEqual([11, 23, 39]);
    expect(stats.blocksUsed).toBe(2 + 3 + 5); // ceil(11/8) + ceil(23/8) + ceil(39/8)
    expect(stats.slotsWasted).toBe(10 * 8 - (11 + 23 + 39));
    expect(stats.contiguousWasted).toBe(3 * 64 - (11 + 23 + 39));
    disposePaged(p);
  });

  it('reads a sequence through its table exactly as the contiguous cache holds it', async () => {
    const prompt = tokens(21, 8);
    let p = addSequence(createPagedCache(model.config, { numBlocks: 4, blockSize: 8 }), 'a');
    p = (await step(p, ['a'], [prompt])).p;
    const idx = tf.tensor2d(prompt, [1, 21], 'int32');
    const full = forward(model, idx, emptyCache(model.config));
    idx.dispose();
    full.logits.dispose();
    const [a, b] = [await readSequence(p, 'a'), await (await import('../../lib/gpt/kvcache')).readCache(full.cache!)];
    for (let l = 0; l < a.length; l++) expect(maxAbsDiff(a[l].k.flat(2), b[l].k.flat(2))).toBeLessThanOrEqual(1e-6);
    disposeCache(full.cache);
    disposePaged(p);
  });

  it('prefix sharing: a fork reuses the prefix blocks, copies the partial block on write, and both continue as if unshared', async () => {
    const prefix = tokens(20, 9); // 2.5 blocks of 8
    const [endA, endB] = [tokens(7, 10), tokens(7, 11)];
    let p = addSequence(createPagedCache(model.config, { numBlocks: 10, blockSize: 8 }), 'a');
    p = (await step(p, ['a'], [prefix])).p;
    p = forkSequence(p, 'a', 'b');
    expect(poolStats(p).blocksUsed).toBe(3);
    expect(poolStats(p).blocksShared).toBe(3);
    const got: number[][][] = [[], []];
    for (let t = 0; t < 7; t++) {
      const r = await step(p, ['a', 'b'], [[endA[t]], [endB[t]]]);
      p = r.p;
      got[0].push(r.logits[0]);
      got[1].push(r.logits[1]);
    }
    const stats = poolStats(p);
    const [ta, tb] = [stats.sequences[0].table, stats.sequences[1].table];
    expect(ta.slice(0, 2)).toEqual(tb.slice(0, 2)); // the two full prefix blocks stay shared
    expect(ta[2]).not.toBe(tb[2]); // the partial block diverged: one of them got a copy
    expect(stats.blocksShared).toBe(2);
    expect(stats.blocksUsed).toBe(2 + 2 + 2); // unshared it would be 4 + 4
    for (const [i, end] of [endA, endB].entries()) {
      const want = (await contiguous([...prefix, end[0]], end.slice(1))).slice(0);
      for (let t = 0; t < 7; t++) expect(maxAbsDiff(got[i][t], want[t])).toBeLessThanOrEqual(1e-5);
    }
    p = freeSequence(p, 'a');
    expect(poolStats(p).blocksUsed).toBe(4); // b's 4 blocks; a's own 2 are free again
    expect(poolStats(p).blocksShared).toBe(0);
    disposePaged(p);
  });

  it('says when the pool is full', async () => {
    const p = addSequence(createPagedCache(model.config, { numBlocks: 2, blockSize: 8 }), 'a');
    const idx = tf.tensor2d([tokens(17, 1)], [1, 17], 'int32');
    expect(() => forwardPaged(model, idx, p, ['a'])).toThrow(PoolExhaustedError);
    idx.dispose();
    disposePaged(p);
  });

  it('generatePaged picks generateCached’s greedy tokens for each of three prompts decoded in one batch', async () => {
    const prompts = [tokens(3, 1), tokens(12, 2), tokens(20, 3)];
    const paged: number[][] = prompts.map(() => []);
    for await (const r of generatePaged(model, bytes, prompts, { maxNewTokens: 8, sampling: {}, blockSize: 16 })) paged[r.seq].push(r.id);
    for (const [i, prompt] of prompts.entries()) {
      const cached: number[] = [];
      for await (const r of generateCached(model, bytes, prompt, { maxNewTokens: 8, sampling: {} })) cached.push(r.id);
      expect(paged[i]).toEqual(cached);
    }
  });

  it('returns tf.memory().numTensors to baseline after 20 sessions with forks and frees', async () => {
    const before = tf.memory().numTensors;
    let p = createPagedCache(model.config, { numBlocks: 16, blockSize: 8 });
    for (let s = 0; s < 20; s++) {
      p = addSequence(p, `s${s}`);
      p = (await step(p, [`s${s}`], [tokens(9, s)])).p;
      p = forkSequence(p, `s${s}`, `f${s}`);
      p = (await step(p, [`s${s}`, `f${s}`], [[1], [2]])).p;
      p = freeSequence(freeSequence(p, `s${s}`), `f${s}`);
    }
    expect(poolStats(p).blocksUsed).toBe(0);
    disposePaged(p);
    for await (const r of generatePaged(model, bytes, [tokens(4, 1), tokens(9, 2)], { maxNewTokens: 5, sampling: {} })) void r;
    expect(tf.memory().numTensors).toBe(before);
  });
});
