import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { forward, type GPT } from '../../lib/gpt/forward';
import { cacheBytes, disposeCache, emptyCache, readCache, type KVCache } from '../../lib/gpt/kvcache';
import { staticCache } from '../../lib/gpt/kvcache-static';
import { disposeWeights } from '../../lib/gpt/params';
import { forwardFast } from '../../lib/gpt/fast/forward-fast';
import { disposeFastModel, prepareFastModel, type FastModel } from '../../lib/gpt/fast/prepare';
import { maxAbsDiff, tinyModel } from './gpt-helpers';

const ids = (n: number, V: number) => Array.from({ length: n }, (_, i) => (i * 2654435761) % V);

type Step = (idx: tf.Tensor2D, cache: KVCache) => { logits: tf.Tensor; cache: KVCache | null };

/** Prefill `prompt` tokens, then `steps` single tokens: every step's last logits, and the final cache. */
async function run(step: Step, start: KVCache, tokens: number[], prompt: number): Promise<{ logits: Float32Array[]; cache: KVCache }> {
  const logits: Float32Array[] = [];
  let cache = start;
  const feed = [tokens.slice(0, prompt), ...tokens.slice(prompt).map((t) => [t])];
  for (const chunk of feed) {
    const idx = tf.tensor2d([chunk], [1, chunk.length], 'int32');
    const out = step(idx, cache);
    idx.dispose();
    const all = (await out.logits.data()) as Float32Array;
    logits.push(all.slice(all.length - out.logits.shape[2]!));
    out.logits.dispose();
    disposeCache(cache);
    cache = out.cache!;
  }
  return { logits, cache };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`static (preallocated) cache on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });

    for (const over of [{}, { nKvHead: 1 }]) {
      it(`gives the full cache's logits and contents, ${JSON.stringify(over)}, through forward() and the fast path`, async () => {
        const model: GPT = tinyModel({ blockSize: 32, nEmbd: 32, nHead: 4, ...over });
        const fm: FastModel = prepareFastModel(model);
        const c = model.config;
        const tokens = ids(12, c.vocabSize);
        const before = tf.memory().numTensors;
        const full = await run((i, k) => forward(model, i, k), emptyCache(c), tokens, 5);
        const ref = await run((i, k) => forward(model, i, k), emptyCache(c, staticCache(c.blockSize)), tokens, 5);
        const fast = await run((i, k) => forwardFast(fm, i, k), emptyCache(c, staticCache(c.blockSize)), tokens, 5);
        for (let s = 0; s < full.logits.length; s++) {
          expect(maxAbsDiff(ref.logits[s], full.logits[s])).toBeLessThanOrEqual(1e-4);
          expect(maxAbsDiff(fast.logits[s], full.logits[s])).toBeLessThanOrEqual(1e-4);
        }
        // What the UI reads: the same rows, positions and shapes.
        const [a, b, f] = await Promise.all([readCache(full.cache), readCache(ref.cache), readCache(fast.cache)]);
        expect(b[0].positions).toEqual(a[0].positions);
        expect(maxAbsDiff(new Float32Array(b[1].k.flat(2)), new Float32Array(a[1].k.flat(2)))).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(new Float32Array(f[1].v.flat(2)), new Float32Array(a[1].v.flat(2)))).toBeLessThanOrEqual(1e-4);
        // The reservation is the whole context, used or not.
        expect(cacheBytes(ref.cache)).toBe(2 * c.nLayer * c.nKvHead * (c.nEmbd / c.nHead) * c.blockSize * 4);
        [full.cache, ref.cache, fast.cache].forEach(disposeCache);
        expect(tf.memory().numTensors).toBe(before);
        disposeFastModel(fm);
        disposeWeights(model.weights);
      });
    }

    it.runIf(backend === 'wasm')(
      'is written in place on wasm: a cached step runs one slab kernel per layer, no concat, no copy',
      async () => {
        const model = tinyModel({ blockSize: 16, nEmbd: 32, nHead: 4 });
        const fm = prepareFastModel(model);
        const c = model.config;
        const prompt = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
        const next = tf.tensor2d([[4]], [1, 1], 'int32');
        const base = forwardFast(fm, prompt, emptyCache(c, staticCache(c.blockSize)));
        let step: ReturnType<typeof forwardFast> | null = null;
        const prof = await tf.profile(() => {
          step = forwardFast(fm, next, base.cache!);
          return step.logits;
        });
        const names = prof.kernels.map((k) => k.name);
        expect(names.filter((n) => n === 'KVLabSlabAttention')).toHaveLength(c.nLayer);
        expect(names).not.toContain('Concat');
        expect(names).not.toContain('KVLabDecodeAppend');
        expect(names.filter((n) => n === 'Fill')).toHaveLength(0); // no new slab
        const s = step!.cache!.layers[0].store as { slab: unknown };
        expect(s.slab).toBe((base.cache!.layers[0].store as { slab: unknown }).slab); // the same reservation
        for (const r of [step!, base]) {
          r.logits.dispose();
          disposeCache(r.cache);
        }
        tf.dispose([prompt, next]);
        disposeFastModel(fm);
        disposeWeights(model.weights);
      },
    );

    it('stays a value: the old store still reads its rows, and two continuations of one prompt do not overwrite each other', async () => {
      const model = tinyModel({ blockSize: 16, nEmbd: 32, nHead: 4 });
      const fm = prepareFastModel(model);
      const c = model.config;
      const before = tf.memory().numTensors;
      const prompt = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
      const base = forwardFast(fm, prompt, emptyCache(c, staticCache(c.blockSize)));
      const baseRows = await readCache(base.cache!);
      // Two different next tokens from the same base: the second must not land in the first's row.
      const [x, y] = [5, 9].map((t) => tf.tensor2d([[t]], [1, 1], 'int32'));
      const a = forwardFast(fm, x, base.cache!);
      const b = forwardFast(fm, y, base.cache!);
      const a2 = forwardFast(fm, y, a.cache!); // a goes on, after b was made
      const rowsA = await readCache(a.cache!);
      const rowsB = await readCache(b.cache!);
      expect(rowsA[0].k[0]).toHaveLength(5);
      expect(rowsA[0].k[0][4]).not.toEqual(rowsB[0].k[0][4]); // each holds its own token's key
      expect((await readCache(base.cache!))[0].k).toEqual(baseRows[0].k); // the base is untouched
      // Against the full cache: a's next step sees a's row 4, not b's.
      const whole = tf.tensor2d([[1, 2, 3, 4, 5, 9]], [1, 6], 'int32');
      const fa = forward(model, whole, null, { logits: 'last' });
      expect(maxAbsDiff((await a2.logits.data()) as Float32Array, (await fa.logits.data()) as Float32Array)).toBeLessThanOrEqual(1e-4);
      // Disposing in any order frees every slab once (and twice is harmless).
      for (const r of [a2, b, a, base, fa]) {
        r.logits.dispose();
        disposeCache(r.cache);
        disposeCache(r.cache);
      }
      tf.dispose([prompt, x, y, whole]);
      expect(tf.memory().numTensors).toBe(before);
      disposeFastModel(fm);
      disposeWeights(model.weights);
    });

    it('refuses to grow past its reservation, and refuses a disposed store', () => {
      const model = tinyModel({ blockSize: 8, nEmbd: 32, nHead: 4 });
      const c = model.config;
      const [four, one] = [tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32'), tf.tensor2d([[5]], [1, 1], 'int32')];
      const before = tf.memory().numTensors;
      const full = forward(model, four, emptyCache(c, staticCache(4)));
      expect(() => forward(model, one, full.cache)).toThrow(/exceed the static cache's 4/);
      const roomy = forward(model, four, emptyCache(c, staticCache(8)));
      disposeCache(roomy.cache);
      expect(() => forward(model, one, roomy.cache)).toThrow(/disposed/);
      tf.dispose([full.logits, roomy.logits]);
      disposeCache(full.cache);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([four, one]);
      disposeWeights(model.weights);
    });
  });
}
