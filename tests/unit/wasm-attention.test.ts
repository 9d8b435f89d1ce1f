import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTENTION_WASM } from '../../lib/gpt/fast/attention-wasm';
import { forwardFast } from '../../lib/gpt/fast/forward-fast';
import { disposeFastModel, prepareFastModel } from '../../lib/gpt/fast/prepare';
import { LAYER_NORM_EPS } from '../../lib/gpt/config';
import { registerWasmKernels } from '../../lib/gpt/fast/wasm-kernels';
import { LAYER_NORM } from '../../lib/gpt/fast/webgpu-layernorm';
import { disposeCache, emptyCache } from '../../lib/gpt/kvcache';
import { disposeWeights } from '../../lib/gpt/params';
import {
  causalAttention,
  decodeAppend,
  rowLinear,
  rowLinearReady,
  slabAttention,
  wasmAttentionReady,
} from '../../lib/gpt/fast/wasm-attention';
import { createRng } from '../../lib/gpt/random';
import { assemble } from '../../scripts/build-wasm';
import { maxAbsDiff, tinyModel } from './gpt-helpers';

/** The fused append-and-attend kernel against what it replaces: split, two concats, q·Kᵀ, softmax, ·V. */
describe('wasm attention kernels: decode-append and causal', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });

  const rng = createRng(11);
  const random = (shape: [number, number, number], scale = 1) =>
    tf.tensor3d(
      Array.from({ length: shape[0] * shape[1] * shape[2] }, () => scale * rng.normal()),
      shape,
    );

  function opByOp(qkv: tf.Tensor3D, pastK: tf.Tensor3D, pastV: tf.Tensor3D) {
    return tf.tidy(() => {
      const [nkv, , hs] = pastK.shape;
      const C = qkv.shape[2] - 2 * nkv * hs;
      const [q, k, v] = tf.split(qkv, [C, nkv * hs, nkv * hs], 2);
      const K = tf.concat([pastK, tf.reshape(k, [nkv, 1, hs])], 1) as tf.Tensor3D;
      const V = tf.concat([pastV, tf.reshape(v, [nkv, 1, hs])], 1) as tf.Tensor3D;
      const att = tf.softmax(tf.matMul(tf.reshape(q, [nkv, C / (nkv * hs), hs]) as tf.Tensor3D, K, false, true));
      return [tf.matMul(att, V), K, V];
    });
  }

  // [nkv, g, hs, Tp]: multi-head, grouped, multi-query; the tiny test models' hs = 8, austen's 32, the timing models' 64.
  for (const [nkv, g, hs, Tp] of <[number, number, number, number][]>[
    [4, 1, 32, 1],
    [4, 1, 32, 255],
    [2, 2, 8, 40],
    [1, 4, 32, 100],
    [6, 1, 64, 1000],
  ]) {
    it(`nkv ${nkv}, g ${g}, hs ${hs}, ${Tp} cached: the same output and new cache, nothing left behind`, async () => {
      expect(wasmAttentionReady(hs)).toBe(true);
      // Scores far apart (scale 3) so the softmax is peaked and its max-subtraction matters.
      const qkv = random([1, 1, nkv * g * hs + 2 * nkv * hs], 3);
      const pastK = random([nkv, Tp, hs]);
      const pastV = random([nkv, Tp, hs]);
      const want = opByOp(qkv, pastK, pastV);
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const got = decodeAppend(qkv, pastK, pastV);
      // y is the heads' outputs [nkv, g, hs] in memory, shaped as the row the output projection takes.
      expect(got.map((t) => t.shape)).toEqual([
        [1, 1, nkv * g * hs],
        [nkv, Tp + 1, hs],
        [nkv, Tp + 1, hs],
      ]);
      // The cache rows are copied exactly; the attention output within float32 rounding.
      expect(Array.from(await got[1].data())).toEqual(Array.from(await want[1].data()));
      expect(Array.from(await got[2].data())).toEqual(Array.from(await want[2].data()));
      expect(maxAbsDiff((await got[0].data()) as Float32Array, (await want[0].data()) as Float32Array)).toBeLessThan(1e-5);
      // Three outputs, and the kernel's scratch scores freed.
      expect(tf.memory().numTensors).toBe(tensors + 3);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds + 3);
      tf.dispose([...got, ...want, qkv, pastK, pastV]);
    });
  }

  // [nkv, g, hs, n, capacity]: every n mod 4 (rows four at a time, then the rest), grouped and not.
  for (const [nkv, g, hs, n, cap] of <[number, number, number, number, number][]>[
    [4, 1, 32, 3, 8],
    [2, 2, 8, 41, 64],
    [1, 4, 32, 102, 128],
    [6, 1, 64, 1003, 1024],
  ]) {
    it(`slab (static cache) attention: nkv ${nkv}, g ${g}, hs ${hs}, ${n} of ${cap} rows, as q·Kᵀ, softmax, ·V`, async () => {
      const q = random([1, 1, nkv * g * hs], 3);
      const K = random([nkv, n, hs]);
      const V = random([nkv, n, hs]);
      // Position-major slabs [capacity, nkv·hs], rows past n left as noise the kernel must not read.
      const slab = (t: tf.Tensor3D) =>
        tf.tidy(() => tf.concat([tf.reshape(tf.transpose(t, [1, 0, 2]), [n, nkv * hs]), tf.fill([cap - n, nkv * hs], 1e6)]) as tf.Tensor2D);
      const [slabK, slabV] = [slab(K), slab(V)];
      // In float64: query row (h, r) over head h's keys and values.
      const [qs, ks, vs] = [await q.data(), await K.data(), await V.data()];
      const want = new Float64Array(nkv * g * hs);
      for (let h = 0; h < nkv; h++)
        for (let r = 0; r < g; r++) {
          const qo = (h * g + r) * hs;
          const sc = Array.from({ length: n }, (_, t) => {
            let d = 0;
            for (let j = 0; j < hs; j++) d += qs[qo + j] * ks[(h * n + t) * hs + j];
            return d;
          });
          const m = Math.max(...sc);
          const e = sc.map((x) => Math.exp(x - m));
          const sum = e.reduce((a, b) => a + b, 0);
          for (let t = 0; t < n; t++) for (let j = 0; j < hs; j++) want[qo + j] += (e[t] / sum) * vs[(h * n + t) * hs + j];
        }
      const before = tf.memory().numTensors;
      const got = slabAttention(q, slabK, slabV, n, hs, g);
      expect(got.shape).toEqual([1, 1, nkv * g * hs]);
      expect(tf.memory().numTensors).toBe(before + 1);
      const ys = await got.data();
      expect(Math.max(...Array.from(want, (w, i) => Math.abs(w - ys[i])))).toBeLessThan(2e-5);
      tf.dispose([q, K, V, slabK, slabV, got]);
    });
  }

  it('leaves its inputs as they were: the old cache value stays valid', async () => {
    const pastK = random([2, 5, 8]);
    const pastV = random([2, 5, 8]);
    const before = [await pastK.data(), await pastV.data()];
    const qkv = random([1, 1, 2 * 8 + 2 * 2 * 8]);
    tf.dispose(decodeAppend(qkv, pastK, pastV));
    expect(await pastK.data()).toEqual(before[0]);
    expect(await pastV.data()).toEqual(before[1]);
    tf.dispose([pastK, pastV, qkv]);
  });

  it('is not offered where it cannot run: a head width that is not a multiple of 8, or another backend', async () => {
    expect(wasmAttentionReady(12)).toBe(false);
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(wasmAttentionReady(32)).toBe(false);
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it("is what the fast path's cached decode step runs on wasm, once per layer, with no split or concat", async () => {
    const model = tinyModel({ nKvHead: 2 });
    const fm = prepareFastModel(model);
    const prompt = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
    const next = tf.tensor2d([[5]], [1, 1], 'int32');
    const pre = forwardFast(fm, prompt, emptyCache(model.config));
    const info = await tf.profile(() => {
      const step = forwardFast(fm, next, pre.cache, { logits: 'last' });
      tf.dispose(step.logits);
      disposeCache(step.cache);
      return [];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'KVLabDecodeAppend')).toHaveLength(model.config.nLayer);
    // Every linear of the step, the head included, is one row through the module's gemv.
    expect(names.filter((n) => n === 'KVLabRowLinear')).toHaveLength(4 * model.config.nLayer + 1);
    expect(names).not.toContain('_FusedMatMul');
    // The residual stream's two sums per layer happen inside the output projections' gemv, and the
    // token's embedding plus its position's in one kernel: no Add, Gather or Range is left.
    expect(names).not.toContain('Add');
    expect(names).not.toContain('GatherV2');
    expect(names).not.toContain('Range');
    expect(names.filter((n) => n === 'KVLabEmbed')).toHaveLength(1);
    expect(names).not.toContain('SplitV');
    expect(names).not.toContain('Concat');
    expect(names).not.toContain('BatchMatMul');
    // Each LayerNorm runs inside the gemv it feeds and the MLP's GELU inside its first, and the
    // attention's output is already the row the projection takes: the embedding, per layer four gemvs
    // and the attention, then the head.
    expect(names).not.toContain('KVLabGelu');
    expect(names).not.toContain('KVLabNormalize');
    expect(names).not.toContain('Reshape');
    expect(names).toHaveLength(1 + 5 * model.config.nLayer + 1);
    tf.dispose([prompt, next, pre.logits]);
    disposeCache(pre.cache);
    disposeFastModel(fm);
    disposeWeights(model.weights);
  });

  /** Causal attention in float64, query head h on key/value head ⌊h / g⌋, from row-major [T, width] inputs. */
  function causalFloat64(q: Float32Array, k: Float32Array, v: Float32Array, T: number, nh: number, nkv: number, hs: number): Float64Array {
    const C = nh * hs;
    const KV = nkv * hs;
    const y = new Float64Array(T * C);
    for (let h = 0; h < nh; h++) {
      const kvCol = Math.floor(h / (nh / nkv)) * hs;
      for (let t = 0; t < T; t++) {
        const s = Array.from({ length: t + 1 }, (_, j) => {
          let d = 0;
          for (let i = 0; i < hs; i++) d += q[t * C + h * hs + i] * k[j * KV + kvCol + i];
          return d;
        });
        const max = Math.max(...s);
        const e = s.map((x) => Math.exp(x - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++) for (let i = 0; i < hs; i++) y[t * C + h * hs + i] += (e[j] / sum) * v[j * KV + kvCol + i];
      }
    }
    return y;
  }

  // [nh, nkv, hs, T]
  for (const [nh, nkv, hs, T] of <[number, number, number, number][]>[
    [4, 4, 32, 2],
    [4, 4, 32, 255],
    [4, 2, 8, 17],
    [4, 1, 32, 64],
    [6, 6, 64, 300],
  ]) {
    it(`causal: ${nh} query heads over ${nkv} key/value heads, hs ${hs}, ${T} positions, as float64 causal attention`, async () => {
      expect(wasmAttentionReady(hs)).toBe(true);
      // q as the fast path's is (× 1/√hs), so scores are O(1) and their softmax uneven.
      const q = random([1, T, nh * hs], 3 / Math.sqrt(hs));
      const k = random([1, T, nkv * hs]);
      const v = random([1, T, nkv * hs]);
      const want = causalFloat64(
        (await q.data()) as Float32Array,
        (await k.data()) as Float32Array,
        (await v.data()) as Float32Array,
        T,
        nh,
        nkv,
        hs,
      );
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const got = causalAttention(q, k, v, hs);
      expect(got.shape).toEqual([1, T, nh * hs]);
      // Against float64: float32 products and sums over up to 300 keys stay well inside 1e-5.
      expect(maxAbsDiff((await got.data()) as Float32Array, want)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(tensors + 1);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds + 1); // its [T, T] scores freed
      tf.dispose([got, q, k, v]);
    });
  }

  it("is what the fast path's naive step runs on wasm: every layer but the last (which needs one row), and no mask", async () => {
    const model = tinyModel();
    const fm = prepareFastModel(model);
    const idx = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32');
    const names = async (logits: 'all' | 'last') =>
      (
        await tf.profile(() => {
          tf.dispose(forwardFast(fm, idx, null, { logits }).logits);
          return [];
        })
      ).kernels.map((k) => k.name);
    const all = await names('all');
    expect(all.filter((n) => n === 'KVLabCausalAttention')).toHaveLength(model.config.nLayer);
    expect(all).not.toContain('BatchMatMul');
    expect(all).not.toContain('Transpose');
    const last = await names('last');
    expect(last.filter((n) => n === 'KVLabCausalAttention')).toHaveLength(model.config.nLayer - 1);
    tf.dispose(idx);
    disposeFastModel(fm);
    disposeWeights(model.weights);
  });

  it('takes a softmax within float32 rounding of float64: any row length, wide ranges, causal rows', () => {
    // The module alone, over a memory of its own.
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = Uint8Array.from(atob(ATTENTION_WASM), (c) => c.charCodeAt(0));
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as {
      softmax_rows(at: number, rows: number, n: number): void;
      softmax_causal(at: number, T: number): void;
    };
    const heap = new Float32Array(memory.buffer);
    const softmax64 = (xs: number[]) => {
      const m = Math.max(...xs);
      const e = xs.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / sum);
    };
    let worst = 0;
    // Lengths 1–13 cover every tail (n mod 4); scale 60 sends some terms below e^−87, where exp clamps.
    for (const scale of [0.1, 3, 60]) {
      for (let n = 1; n <= 13; n++) {
        const rows = [0, 1, 2].map(() => Array.from({ length: n }, () => scale * rng.normal()));
        heap.set(new Float32Array(rows.flat()), 16); // at byte 64
        ex.softmax_rows(64, 3, n);
        rows.forEach((row, r) => {
          const want = softmax64(row);
          const got = heap.subarray(16 + r * n, 16 + (r + 1) * n);
          want.forEach((w, t) => (worst = Math.max(worst, Math.abs(got[t] - w))));
          expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        });
      }
    }
    expect(worst).toBeLessThan(1e-6);
    // Causal: row t normalises over keys 0…t and leaves the rest of its row alone.
    const T = 7;
    const scores = Array.from({ length: T * T }, () => 4 * rng.normal());
    heap.set(new Float32Array(scores), 0);
    ex.softmax_causal(0, T);
    for (let t = 0; t < T; t++) {
      const want = softmax64(scores.slice(t * T, t * T + t + 1));
      for (let s = 0; s < T; s++) {
        const got = heap[t * T + s];
        if (s <= t) expect(Math.abs(got - want[s])).toBeLessThan(1e-6);
        else expect(got).toBe(Math.fround(scores[t * T + s]));
      }
    }
  });

  /** A row linear's inputs: x [1, 1, K] (× xScale), w [1, K, N] (× wScale/√K), bias [N]. */
  function rowLinearInputs(K: number, N: number, xScale = 1, wScale = 1) {
    const x = random([1, 1, K], xScale);
    const w = random([1, K, N], wScale / Math.sqrt(K));
    const b = tf.tensor1d(Array.from({ length: N }, () => rng.normal()));
    return { x, w, b };
  }

  /** b + x·W in float64, for x [K] and row-major W [K, N]. */
  function product64(xs: ArrayLike<number>, ws: ArrayLike<number>, bs: ArrayLike<number>, K: number, N: number): Float64Array {
    return Float64Array.from({ length: N }, (_, n) => {
      let u = bs[n];
      for (let k = 0; k < K; k++) u += xs[k] * ws[k * N + n];
      return u;
    });
  }

  const worstDiff = (got: ArrayLike<number>, want: ArrayLike<number>) =>
    Array.from(want).reduce((worst, w, i) => Math.max(worst, Math.abs(got[i] - w)), 0);

  /** Runs one row linear: a [1, 1, N] row within 2e-5 of `want`, and no tensor left behind. */
  async function expectRowLinearNear(run: () => tf.Tensor3D, want: ArrayLike<number>): Promise<void> {
    const before = tf.memory().numTensors;
    const y = run();
    expect(y.shape).toEqual([1, 1, want.length]);
    const got = await y.data();
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(worstDiff(got, want)).toBeLessThan(2e-5);
  }

  // [K, N]: every tail of K (mod 4), with no quarter (K < 4) and after four quarters' rows, the
  // narrowest N, austen's and the timing models' shapes.
  for (const [K, N] of <[number, number][]>[
    [1, 4],
    [2, 8],
    [3, 12],
    [5, 20],
    [6, 8],
    [7, 12],
    [128, 384],
    [385, 768],
    [1536, 384],
  ]) {
    it(`row linear: x [1, 1, ${K}] · w [${K}, ${N}] + b as float64, nothing left behind`, async () => {
      const { x, w, b } = rowLinearInputs(K, N);
      const want = product64(await x.data(), await w.data(), await b.data(), K, N);
      expect(rowLinearReady(N)).toBe(true);
      await expectRowLinearNear(() => rowLinear(x, w, b), want);
      tf.dispose([x, w, b]);
    });
  }

  for (const [K, N] of <[number, number][]>[
    [3, 8],
    [384, 384],
    [1536, 384],
  ]) {
    it(`row linear with a residual: r + x [1, 1, ${K}] · w [${K}, ${N}] + b as float64; a residual of the wrong shape is refused`, async () => {
      const { x, w, b } = rowLinearInputs(K, N);
      const r = random([1, 1, N]);
      const rs = await r.data();
      const want = product64(await x.data(), await w.data(), await b.data(), K, N).map((u, n) => rs[n] + u);
      const before = tf.memory().numTensors;
      await expectRowLinearNear(() => rowLinear(x, w, b, { residual: r }), want);
      const wrong = random([1, 1, N + 4]);
      expect(() => rowLinear(x, w, b, { residual: wrong })).toThrow(/residual must be \[1, 1, /);
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([x, w, b, r, wrong]);
    });
  }

  for (const [K, N] of <[number, number][]>[
    [3, 8],
    [128, 512],
    [384, 1536],
  ]) {
    it(`row linear with GELU: GELU(x [1, 1, ${K}] · w [${K}, ${N}] + b) as float64 tanh GELU; GELU with a residual is refused`, async () => {
      const { x, w, b } = rowLinearInputs(K, N, 2, 2);
      const u = product64(await x.data(), await w.data(), await b.data(), K, N);
      const want = u.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
      const before = tf.memory().numTensors;
      await expectRowLinearNear(() => rowLinear(x, w, b, { gelu: true }), want);
      if (N >= 512) expect(u.filter((v) => v < -1).length).toBeGreaterThan(N / 10); // both branches of σ were taken
      const r = random([1, 1, N]);
      expect(() => rowLinear(x, w, b, { residual: r, gelu: true })).toThrow('a row linear adds a residual or applies GELU, not both');
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([x, w, b, r]);
    });
  }

  for (const [K, N] of <[number, number][]>[
    [4, 8],
    [128, 384],
    [384, 1536],
  ]) {
    it(`row linear with LayerNorm first: x̂ [1, 1, ${K}] · w [${K}, ${N}] + b, x̂ the same bits as the LayerNorm kernel's, nothing left behind`, async () => {
      registerWasmKernels();
      const { x, w, b } = rowLinearInputs(K, N, 4);
      const shifted = tf.tidy(() => tf.add(x, 7) as tf.Tensor3D); // a mean far from 0, so subtracting it matters
      const before = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const y = rowLinear(shifted, w, b, { normalizeEps: LAYER_NORM_EPS });
      // The kernel's scratch row is freed: one new tensor, one new buffer.
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds + 1);
      const want = tf.tidy(() =>
        rowLinear(tf.engine().runKernel(LAYER_NORM, { x: shifted }, { eps: LAYER_NORM_EPS }) as tf.Tensor3D, w, b),
      );
      expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
      // And against float64: x̂·w + b.
      const xs = Array.from(await shifted.data());
      const mean = xs.reduce((s, v) => s + v, 0) / K;
      const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / K + LAYER_NORM_EPS);
      const xhat = xs.map((v) => (v - mean) / sd);
      expect(worstDiff(await y.data(), product64(xhat, await w.data(), await b.data(), K, N))).toBeLessThan(2e-5);
      tf.dispose([x, shifted, w, b, y, want]);
    });
  }

  it('row linear is not offered where it cannot run: a width that is not a positive multiple of 4, or another backend', async () => {
    expect(rowLinearReady(6)).toBe(false);
    expect(rowLinearReady(0)).toBe(false);
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(rowLinearReady(384)).toBe(false);
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('ships the bytes its .wat source assembles to (rerun scripts/build-wasm.ts after editing it)', async () => {
    const shipped = Uint8Array.from(atob(ATTENTION_WASM), (c) => c.charCodeAt(0));
    expect(Array.from(shipped)).toEqual(Array.from(await assemble()));
  });
});
