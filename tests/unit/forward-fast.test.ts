import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContextOverflowError, forward, type GPT } from '../../lib/gpt/forward';
import { disposeCache, emptyCache, type KVCache, type LayerKV } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import { createRng } from '../../lib/gpt/random';
import { forwardFast } from '../../lib/gpt/fast/forward-fast';
import { quantizedCache } from '../../lib/gpt/kvcache-quantized';
import { disposeFastModel, prepareFastModel, type FastModel } from '../../lib/gpt/fast/prepare';
import { maxAbsDiff, tinyModel } from './gpt-helpers';

const TOL = 1e-4;

/** A tiny random model whose LayerNorm gains and biases are not 1 and 0, so folding them is tested. */
function modelWithLayerNorms(over: Parameters<typeof tinyModel>[0] = {}): GPT {
  const m = tinyModel(over, 3, 4);
  const rng = createRng(9);
  for (const [name, t] of Object.entries(m.weights)) {
    if (!name.includes('ln_')) continue;
    const base = name.endsWith('.weight') ? 1 : 0;
    m.weights[name] = tf.tensor1d(Array.from({ length: t.size }, () => base + 0.3 * rng.normal()));
    t.dispose();
  }
  return m;
}

async function logitsOf(r: { logits: tf.Tensor }): Promise<Float32Array> {
  const d = (await r.logits.data()) as Float32Array;
  r.logits.dispose();
  return d;
}

const ids = (n: number, V: number) => Array.from({ length: n }, (_, i) => (i * 2654435761) % V);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`fast forward on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });

    for (const over of [{}, { nKvHead: 2 }, { nKvHead: 1 }]) {
      const label = `nKvHead ${over.nKvHead ?? 4}`;

      it(`${label}: a whole-sequence pass gives the reference logits at every position`, async () => {
        const model = modelWithLayerNorms(over);
        const fm = prepareFastModel(model);
        const idx = tf.tensor2d([ids(17, 256)], [1, 17], 'int32');
        const ref = await logitsOf(forward(model, idx, null));
        const fast = await logitsOf(forwardFast(fm, idx, null));
        expect(fast.length).toBe(17 * 256);
        expect(maxAbsDiff(fast, ref)).toBeLessThanOrEqual(TOL);
        // The naive generator asks for the last position only: the fast path's last layer then runs one row.
        const last = await logitsOf(forwardFast(fm, idx, null, { logits: 'last' }));
        expect(last.length).toBe(256);
        expect(maxAbsDiff(last, ref.slice(16 * 256))).toBeLessThanOrEqual(TOL);
        idx.dispose();
        disposeFastModel(fm);
        disposeWeights(model.weights);
      });

      it(`${label}: prefill then decode steps give the reference logits and the same cache values`, async () => {
        const model = modelWithLayerNorms(over);
        const fm = prepareFastModel(model);
        const before = tf.memory().numTensors;
        const seq = ids(12, 256);
        let refCache: KVCache = emptyCache(model.config);
        let fastCache: KVCache = emptyCache(model.config);
        const chunks = [seq.slice(0, 5), ...seq.slice(5).map((t) => [t])];
        for (const chunk of chunks) {
          const idx = tf.tensor2d([chunk], [1, chunk.length], 'int32');
          const r = forward(model, idx, refCache, { logits: 'last' });
          // The fast path takes the reference's cache: the two values are interchangeable.
          const f = forwardFast(fm, idx, refCache, { logits: 'last' });
          const g = forwardFast(fm, idx, fastCache, { logits: 'last' });
          expect(maxAbsDiff(await logitsOf(f), (await r.logits.data()) as Float32Array)).toBeLessThanOrEqual(TOL);
          expect(maxAbsDiff(await logitsOf(g), (await r.logits.data()) as Float32Array)).toBeLessThanOrEqual(TOL);
          r.logits.dispose();
          idx.dispose();
          for (let l = 0; l < model.config.nLayer; l++) {
            const gs = g.cache!.layers[l].store as LayerKV;
            const rs = r.cache!.layers[l].store as LayerKV;
            expect(gs.k.shape).toEqual(rs.k.shape);
            expect(maxAbsDiff(await gs.k.data(), await rs.k.data())).toBeLessThanOrEqual(TOL);
            expect(maxAbsDiff(await gs.v.data(), await rs.v.data())).toBeLessThanOrEqual(TOL);
            expect(g.cache!.layers[l].positions).toEqual(r.cache!.layers[l].positions);
          }
          // The same cache value, field by field (kind, length, next, steps, …), apart from the tensors.
          const { layers: gl, ...gRest } = g.cache!;
          const { layers: rl, ...rRest } = r.cache!;
          expect(gRest).toEqual(rRest);
          expect(gl.length).toBe(rl.length);
          disposeCache(f.cache);
          disposeCache(refCache);
          disposeCache(fastCache);
          refCache = r.cache!;
          fastCache = g.cache!;
        }
        disposeCache(refCache);
        disposeCache(fastCache);
        expect(tf.memory().numTensors).toBe(before);
        disposeFastModel(fm);
        disposeWeights(model.weights);
      });
    }

    it("builds the cache's positions after tf.tidy, which walks every element of what it returns", async () => {
      const model = modelWithLayerNorms();
      const fm = prepareFastModel(model);
      // The longest array of plain numbers in what each tidy scope returns (tensors are not looked into).
      const longest = (x: unknown, depth = 0): number => {
        if (depth > 6 || x === null || typeof x !== 'object' || x instanceof tf.Tensor) return 0;
        const here = Array.isArray(x) && x.length > 0 && x.every((e) => typeof e === 'number') ? x.length : 0;
        return Math.max(here, ...Object.values(x as object).map((v) => longest(v, depth + 1)));
      };
      const engine = tf.engine() as unknown as { endScope(result?: unknown): void };
      const original = engine.endScope;
      const walked: number[] = [];
      engine.endScope = function (result?: unknown) {
        walked.push(longest(result));
        return original.call(this, result);
      };
      let cache: KVCache | null = null;
      try {
        const prompt = tf.tensor2d([ids(40, 256)], [1, 40], 'int32');
        const pre = forwardFast(fm, prompt, emptyCache(model.config), { logits: 'last' });
        const next = tf.tensor2d([[7]], [1, 1], 'int32');
        const step = forwardFast(fm, next, pre.cache, { logits: 'last' });
        tf.dispose([prompt, next, pre.logits, step.logits]);
        disposeCache(pre.cache);
        cache = step.cache;
      } finally {
        engine.endScope = original;
      }
      expect(walked.length).toBeGreaterThan(0);
      expect(Math.max(...walked)).toBeLessThan(40); // no positions array went through a tidy
      expect(cache!.layers[0].positions).toEqual(Array.from({ length: 41 }, (_, i) => i));
      expect(cache!.layers.every((l) => l.positions === cache!.layers[0].positions)).toBe(true);
      disposeCache(cache);
      disposeFastModel(fm);
      disposeWeights(model.weights);
    });

    it('hands a cache of another kind (int8) to forward(), so the fast path never changes its meaning', async () => {
      const model = modelWithLayerNorms();
      const fm = prepareFastModel(model);
      const idx = tf.tensor2d([ids(9, 256)], [1, 9], 'int32');
      const kind = quantizedCache({ bits: 8, scheme: 'token', groupSize: 8 });
      const r = forward(model, idx, emptyCache(model.config, kind), { logits: 'last' });
      const f = forwardFast(fm, idx, emptyCache(model.config, kind), { logits: 'last' });
      expect(f.cache!.kind).toBe(kind);
      expect(maxAbsDiff(await logitsOf(f), await logitsOf(r))).toBe(0);
      disposeCache(r.cache);
      disposeCache(f.cache);
      idx.dispose();
      disposeFastModel(fm);
      disposeWeights(model.weights);
    });

    it('refuses to run past the context, as forward does', () => {
      const model = modelWithLayerNorms();
      const fm: FastModel = prepareFastModel(model);
      const idx = tf.tensor2d([ids(97, 256)], [1, 97], 'int32');
      expect(() => forwardFast(fm, idx, null)).toThrow(ContextOverflowError);
      idx.dispose();
      disposeFastModel(fm);
      disposeWeights(model.weights);
    });

    it('prepare and dispose leave no tensors behind', () => {
      const model = modelWithLayerNorms();
      const before = tf.memory().numTensors;
      disposeFastModel(prepareFastModel(model));
      expect(tf.memory().numTensors).toBe(before);
      disposeWeights(model.weights);
    });
  });
}
