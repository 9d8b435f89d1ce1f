import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvDim } from '../../lib/gpt/config';
import { forward, type GPT } from '../../lib/gpt/forward';
import { generateCached } from '../../lib/gpt/generate';
import { disposeCache, emptyCache, type KVCache } from '../../lib/gpt/kvcache';
import {
  applyPolicy,
  attentionMass,
  type CachePolicy,
  parsePolicy,
  PolicyError,
  policyName,
  rowsToKeep,
} from '../../lib/gpt/kvcache-policy';
import { quantizedCache } from '../../lib/gpt/kvcache-quantized';
import { disposeWeights } from '../../lib/gpt/params';
import { referenceForward, type RefWeights, type Visible } from './helpers/reference';
import { bytes, maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

const ids = Array.from({ length: 30 }, (_, i) => (i * 71 + 3) % 256);
let model: GPT;
let ref: RefWeights;
beforeAll(async () => {
  model = tinyModel({ nKvHead: 2, blockSize: 64 }, 5, 2);
  ref = {};
  for (const [n, t] of Object.entries(model.weights)) ref[n] = (await t.data()) as Float32Array;
});
afterAll(() => disposeWeights(model.weights));

/** Feeds ids one token at a time through the policy: each step's logits and the final cache. */
async function decode(policy: CachePolicy, onStep?: (cache: KVCache, step: number) => void) {
  let cache = emptyCache(model.config);
  const logits: number[][] = [];
  for (let s = 0; s < ids.length; s++) {
    const idx = tf.tensor2d([ids[s]], [1, 1], 'int32');
    const out = forward(model, idx, cache, { logits: 'last', weights: policy.type === 'h2o' });
    idx.dispose();
    disposeCache(cache);
    cache = applyPolicy(out.cache!, policy, out.weights && (await attentionMass(out.weights)));
    logits.push(Array.from(await out.logits.data()));
    out.logits.dispose();
    onStep?.(cache, s);
  }
  return { logits, cache };
}

/** Decoding through the policy must equal a float64 forward in which position t attends only to `visible` keys. */
async function expectMatchesReference(policy: CachePolicy, visible: Visible) {
  const { logits, cache } = await decode(policy);
  const want = referenceForward(model.config, ref, ids, visible);
  for (let t = 0; t < ids.length; t++) expect(maxAbsDiff(logits[t], want[t])).toBeLessThan(1e-3);
  disposeCache(cache);
}

describe('cache policies', () => {
  it('window:6 keeps the last 6 true positions, evicting position t−6 after step t, and matches a banded float64 reference', async () => {
    await decode({ type: 'window', window: 6 }, (cache, s) => {
      const want = Array.from({ length: Math.min(6, s + 1) }, (_, i) => s + 1 - Math.min(6, s + 1) + i);
      for (const l of cache.layers) expect(l.positions).toEqual(want);
      expect(cache.length).toBe(want.length);
      expect(cache.next).toBe(s + 1);
      const now = cache.evictions.filter((e) => e.step === s);
      expect(now.map((e) => e.position)).toEqual(s >= 6 ? Array(model.config.nLayer).fill(s - 6) : []);
    }).then((r) => disposeCache(r.cache));
    // During step t the cache holds t−6 … t−1 and the new row t: position t attends to [t−6, t].
    await expectMatchesReference({ type: 'window', window: 6 }, (t, s) => s <= t && s >= t - 6);
  });

  it('sinks:2+window:5 keeps positions 0, 1 and the last 5, and matches its float64 reference', async () => {
    const { cache } = await decode({ type: 'sinks', sinks: 2, window: 5 });
    const n = ids.length;
    for (const l of cache.layers) expect(l.positions).toEqual([0, 1, n - 5, n - 4, n - 3, n - 2, n - 1]);
    expect(cache.evictions.filter((e) => e.layer === 0).map((e) => e.position)).toEqual(Array.from({ length: n - 7 }, (_, i) => i + 2));
    disposeCache(cache);
    await expectMatchesReference({ type: 'sinks', sinks: 2, window: 5 }, (t, s) => s <= t && (s < 2 || s >= t - 5));
  });

  it('h2o keeps the recent rows plus the most attended others (rowsToKeep on a hand-made mass)', () => {
    const mass = [9, 1, 7, 0.5, 8, 2, 3, 1, 1];
    expect(rowsToKeep({ type: 'h2o', budget: 5, recent: 2 }, 9, mass)).toEqual([0, 2, 4, 7, 8]);
    expect(rowsToKeep({ type: 'h2o', budget: 9, recent: 2 }, 9, mass)).toHaveLength(9);
    expect(rowsToKeep({ type: 'sinks', sinks: 1, window: 2 }, 9, [])).toEqual([0, 7, 8]);
  });

  it('h2o:8/3 holds 8 rows per layer, the 3 newest among them, with accumulated attention mass per kept row', async () => {
    const { cache } = await decode({ type: 'h2o', budget: 8, recent: 3 }, (c, s) => {
      for (const l of c.layers) {
        expect(l.positions).toHaveLength(Math.min(8, s + 1));
        expect(l.positions.slice(-Math.min(3, s + 1))).toEqual(
          Array.from({ length: Math.min(3, s + 1) }, (_, i) => s + 1 - Math.min(3, s + 1) + i),
        );
        expect([...l.positions].sort((a, b) => a - b)).toEqual(l.positions);
        expect(l.mass).toHaveLength(l.positions.length);
      }
    });
    // Each step adds nHead units of attention (every head's weights sum to 1) to the rows held then.
    const evicted = cache.evictions.filter((e) => e.layer === 0);
    expect(evicted).toHaveLength(ids.length - 8);
    expect(new Set(evicted.map((e) => e.position)).size).toBe(evicted.length);
    expect(cache.layers[0].mass!.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(model.config.nHead * ids.length + 1e-3);
    disposeCache(cache);
  });

  it('a budget larger than the sequence changes nothing: logits equal the full cache exactly', async () => {
    const full = await decode({ type: 'window', window: 1000 });
    const h2o = await decode({ type: 'h2o', budget: 100, recent: 10 });
    for (let t = 0; t < ids.length; t++) expect(maxAbsDiff(h2o.logits[t], full.logits[t])).toBe(0);
    expect(h2o.cache.evictions).toEqual([]);
    disposeCache(full.cache);
    disposeCache(h2o.cache);
  });

  it('generateCached with a policy reports truthful rows and bytes and the step’s evictions; KIVI cannot evict', async () => {
    const recs = [];
    for await (const r of generateCached(model, bytes, ids.slice(0, 5), {
      maxNewTokens: 10,
      sampling: {},
      policy: { type: 'sinks', sinks: 1, window: 3 },
    })) {
      recs.push({ length: r.cacheLength, bytes: r.cacheBytes, ev: r.evictions?.filter((e) => e.layer === 0).map((e) => e.position) });
    }
    expect(recs.map((r) => r.length)).toEqual(Array(10).fill(4));
    expect(recs[0].ev).toEqual([1]); // prompt 0..4 → keep 0 and 2, 3, 4
    expect(recs[1].ev).toEqual([2]);
    expect(recs[0].bytes).toBe(2 * model.config.nLayer * kvDim(model.config) * 4 * 4); // 4 rows of float32
    const gen = generateCached(model, bytes, ids.slice(0, 40), {
      maxNewTokens: 2,
      sampling: {},
      cacheKind: quantizedCache({ bits: 8, scheme: 'kivi', groupSize: 8 }),
      policy: { type: 'window', window: 4 },
    });
    await expect(gen.next()).rejects.toThrow(PolicyError);
  });

  it('parses the CLI spellings and rejects nonsense', () => {
    for (const s of ['window:64', 'sinks:4+window:60', 'h2o:64', 'h2o:64/16']) expect(policyName(parsePolicy(s)!)).toBe(s);
    expect(parsePolicy('h2o:64')).toEqual({ type: 'h2o', budget: 64, recent: 32 });
    expect(parsePolicy('int8')).toBeNull();
    expect(() => parsePolicy('window:0')).toThrow(/window must be an integer ≥ 1/);
    expect(() => parsePolicy('h2o:8/8')).toThrow(/recent \(8\) must be smaller/);
  });

  it('returns tf.memory().numTensors to baseline after many steps across policies', async () => {
    const before = tf.memory().numTensors;
    for (const p of ['window:4', 'sinks:2+window:3', 'h2o:6'].map((s) => parsePolicy(s)!)) {
      const { cache } = await decode(p);
      disposeCache(cache);
      for await (const r of generateCached(model, bytes, ids.slice(0, 5), { maxNewTokens: 20, sampling: {}, policy: p })) void r;
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
