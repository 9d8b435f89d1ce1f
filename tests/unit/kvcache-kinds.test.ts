import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headSize } from '../../lib/gpt/config';
import { forward, type GPT } from '../../lib/gpt/forward';
import { cacheBytes, type CacheKind, disposeCache, emptyCache, type KVCache, readCache } from '../../lib/gpt/kvcache';
import { latentCache } from '../../lib/gpt/kvcache-latent';
import { quantizedCache, type QuantStore, tensorBytes } from '../../lib/gpt/kvcache-quantized';
import { disposeWeights } from '../../lib/gpt/params';
import { svd, symmetricEigen } from '../../lib/gpt/svd';
import { maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

const ids = Array.from({ length: 40 }, (_, i) => (i * 53 + 11) % 256);
let model: GPT;
beforeAll(() => {
  model = tinyModel({ nEmbd: 64, nHead: 2, nKvHead: 1, blockSize: 64 }, 3, 1.5); // hs 32: quantization groups of 32 fit
});
afterAll(() => disposeWeights(model.weights));

/** Prefill 8 tokens, then decode the rest one at a time through `kind`: every step's logits, and the final cache. */
async function run(kind: CacheKind<unknown>): Promise<{ logits: number[][]; cache: KVCache }> {
  let cache = emptyCache(model.config, kind);
  const logits: number[][] = [];
  for (let s = 0; s < ids.length; s = s === 0 ? 8 : s + 1) {
    const chunk = s === 0 ? ids.slice(0, 8) : [ids[s]];
    const idx = tf.tensor2d(chunk, [1, chunk.length], 'int32');
    const out = forward(model, idx, cache, { logits: 'last' });
    idx.dispose();
    disposeCache(cache);
    cache = out.cache!;
    logits.push(Array.from(await out.logits.data()));
    out.logits.dispose();
  }
  return { logits, cache };
}

const worst = (a: number[][], b: number[][]) => Math.max(...a.map((row, i) => maxAbsDiff(row, b[i])));

describe('svd', () => {
  it('symmetricEigen finds A·v = λ·v with orthonormal v, eigenvalues descending', () => {
    const n = 9;
    const a = Array.from({ length: n * n }, () => 0);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.sin(i * 7 + j * 3 + 1);
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 1; j < n; j++) expect(values[j]).toBeLessThanOrEqual(values[j - 1]);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
        expect(Math.abs(av - values[j] * vectors[i * n + j])).toBeLessThan(1e-10);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + j] * vectors[k * n + l];
        expect(Math.abs(dot - (j === l ? 1 : 0))).toBeLessThan(1e-10);
      }
    }
  });

  it('svd rebuilds a 20×12 matrix as U·diag(s)·Vᵀ within 1e-9; s is descending and non-negative', () => {
    const [m, n] = [20, 12];
    const w = Array.from({ length: m * n }, (_, i) => Math.cos(i * 1.7) * (1 + (i % 5)));
    const { s, u, v } = svd(w, m, n);
    for (let j = 1; j < n; j++) expect(s[j]).toBeLessThanOrEqual(s[j - 1]);
    expect(s[n - 1]).toBeGreaterThanOrEqual(0);
    let err = 0;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let x = 0;
        for (let j = 0; j < n; j++) x += u[r * n + j] * s[j] * v[c * n + j];
        err = Math.max(err, Math.abs(x - w[r * n + c]));
      }
    }
    expect(err).toBeLessThan(1e-9);
  });
});

describe('quantized cache', () => {
  let full: number[][];
  beforeAll(async () => {
    const r = await run(emptyCache(model.config).kind);
    full = r.logits;
    disposeCache(r.cache);
  });

  it('int8 logits stay within 0.01 of the float cache for KIVI and per-token; int4 within 0.1 and further off than int8', async () => {
    const err: Record<string, number> = {};
    for (const [bits, scheme] of [
      [8, 'kivi'],
      [8, 'token'],
      [4, 'kivi'],
      [4, 'token'],
    ] as const) {
      const r = await run(quantizedCache({ bits, scheme }) as CacheKind<unknown>);
      err[`${bits}${scheme}`] = worst(r.logits, full);
      disposeCache(r.cache);
    }
    // Measured on this model: int8 ≈ 0.002, int4 ≈ 0.02 (logits spread over ≈ ±3).
    expect(err['8kivi']).toBeLessThan(0.01);
    expect(err['8token']).toBeLessThan(0.01);
    expect(err['4kivi']).toBeLessThan(0.1);
    expect(err['4token']).toBeLessThan(0.1);
    expect(err['4kivi']).toBeGreaterThan(err['8kivi']);
    expect(err['4token']).toBeGreaterThan(err['8token']);
    expect(err['8token']).toBeGreaterThan(0); // it really quantizes
  });

  it(
    'stores integer codes in range, dequantizes within half a step, and counts packed bytes (KIVI ' + 'keeps < G key rows in float)',
    async () => {
      const c = model.config;
      const hs = headSize(c);
      const ref = await run(emptyCache(c).kind);
      const kinds = [
        quantizedCache({ bits: 4, scheme: 'token', groupSize: 8 }),
        quantizedCache({ bits: 8, scheme: 'kivi', groupSize: 16 }),
      ];
      for (const kind of kinds) {
        const r = await run(kind as CacheKind<unknown>);
        const T = ids.length;
        const store = r.cache.layers[0].store as QuantStore;
        const codes = Array.from(await store.v.codes!.data());
        const top = kind.name.startsWith('int4') ? 15 : 255;
        expect(codes.every((x) => Number.isInteger(x) && x >= 0 && x <= top)).toBe(true);
        expect(Math.max(...codes)).toBe(top);
        // Dequantized values are within half a quantization step of the floats (a step is at most range / levels).
        // Layer 0 only: its inputs are the same in both runs; later layers see the quantization's effect.
        const [a, b] = [await readCache(ref.cache), await readCache(r.cache)];
        for (let l = 0; l < 1; l++) {
          for (const part of ['k', 'v'] as const) {
            const x = a[l][part].flat(2);
            const range = Math.max(...x) - Math.min(...x);
            expect(maxAbsDiff(x, b[l][part].flat(2))).toBeLessThanOrEqual(range / top / 2 + 1e-5);
          }
        }
        const nkv = c.nKvHead;
        if (kind.name === 'int4-token/g8') {
          // codes: ½ byte each; scale + zero: 4 bytes each per group of 8 channels; k and v alike.
          const perPart = (nkv * T * hs) / 2 + 2 * 4 * nkv * T * (hs / 8);
          expect(cacheBytes(r.cache)).toBe(c.nLayer * 2 * perPart);
        } else {
          const R = T % 16; // key rows still waiting for a full group of 16
          const keys = nkv * (T - R) * hs + 2 * 4 * nkv * ((T - R) / 16) * hs + 4 * nkv * R * hs;
          const values = nkv * T * hs + 2 * 4 * nkv * T * (hs / 16);
          expect(store.k.residual!.shape).toEqual([nkv, R, hs]);
          expect(cacheBytes(r.cache)).toBe(c.nLayer * (keys + values));
        }
        expect(tensorBytes(store)).toBeGreaterThan(cacheBytes(r.cache) / c.nLayer);
        disposeCache(r.cache);
      }
      disposeCache(ref.cache);
    },
  );

  it('rejects a group size that does not divide the head size', () => {
    const kind = quantizedCache({ bits: 8, scheme: 'token', groupSize: 5 });
    const idx = tf.tensor2d([1, 2], [1, 2], 'int32');
    expect(() => forward(model, idx, emptyCache(model.config, kind))).toThrow(/groupSize 5 must divide the head size 32/);
    idx.dispose();
  });
});

describe('latent cache', () => {
  it(
    'at full rank equals the float cache within 1e-4; lower ranks rebuild keys worse, and bytes are ' + '2·r·4 per position per layer',
    async () => {
      const c = model.config;
      const kvd = c.nKvHead * headSize(c);
      const ref = await run(emptyCache(c).kind);
      const refKV = await readCache(ref.cache);
      const logitErr: number[] = [];
      const keyErr: number[] = [];
      for (const r of [kvd, 8, 2]) {
        const kind = await latentCache(model, r);
        expect(kind.singularValues).toHaveLength(c.nLayer);
        const out = await run(kind as CacheKind<unknown>);
        logitErr.push(worst(out.logits, ref.logits));
        // Layer 0's keys come from the same inputs in both runs: nested subspaces, so the error only grows as r shrinks.
        keyErr.push(maxAbsDiff((await readCache(out.cache))[0].k.flat(2), refKV[0].k.flat(2)));
        expect(cacheBytes(out.cache)).toBe(c.nLayer * 2 * r * 4 * ids.length);
        disposeCache(out.cache);
      }
      expect(logitErr[0]).toBeLessThan(1e-4);
      expect(logitErr[1]).toBeGreaterThan(1e-3);
      expect(keyErr[1]).toBeGreaterThan(keyErr[0]);
      expect(keyErr[2]).toBeGreaterThan(keyErr[1]);
      disposeCache(ref.cache);
    },
  );

  it('rejects a rank outside 1 … nKvHead·hs', async () => {
    await expect(latentCache(model, 0)).rejects.toThrow(/latent rank must be an integer from 1 to 32/);
    await expect(latentCache(model, 33)).rejects.toThrow(/from 1 to 32/);
  });
});

describe('tensors', () => {
  it('every kind returns tf.memory().numTensors to where it was', async () => {
    const before = tf.memory().numTensors;
    for (const kind of [
      quantizedCache({ bits: 8, scheme: 'kivi' }),
      quantizedCache({ bits: 4, scheme: 'token' }),
      await latentCache(model, 8),
    ]) {
      for (let i = 0; i < 3; i++) {
        const r = await run(kind as CacheKind<unknown>);
        await readCache(r.cache);
        disposeCache(r.cache);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('parseCacheSpec', () => {
  it('names kinds and policies as the CLI spells them, and rejects what cannot work', async () => {
    const { parseCacheSpec } = await import('../../lib/gpt/kvcache-spec');
    expect((await parseCacheSpec('full', model)).label).toBe('full');
    const both = await parseCacheSpec('int4-token,h2o:64', model);
    expect(both.label).toBe('int4-token,h2o:64');
    expect(both.kind!.name).toBe('int4-token');
    expect(both.policy).toEqual({ type: 'h2o', budget: 64, recent: 32 });
    expect((await parseCacheSpec('latent:8', model)).kind!.name).toBe('latent:8');
    await expect(parseCacheSpec('int8,window:8', model)).rejects.toThrow(/cannot evict single positions/);
    await expect(parseCacheSpec('window:8,h2o:8', model)).rejects.toThrow(/at most one policy/);
    await expect(parseCacheSpec('fp8', model)).rejects.toThrow(/unknown cache "fp8"/);
    expect((await parseCacheSpec('static', model)).kind!.name).toBe('static');
    await expect(parseCacheSpec('static,window:8', model)).rejects.toThrow(/cannot evict/);
  });
});
