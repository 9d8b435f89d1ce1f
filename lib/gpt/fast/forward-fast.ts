import * as tf from '@tensorflow/tfjs-core';
import { headSize, LAYER_NORM_EPS } from '../config';
import { ContextOverflowError, forward, type ForwardResult } from '../forward';
import { fullCache, positionRange, type CacheLayer, type KVCache, type LayerKV } from '../kvcache';
import { tidyObject } from '../ops';
import { decodeAttention } from './decode-attention';
import { claimRows, staticCapacity, writePositionMajor, type StaticStore } from '../kvcache-static';
import { causalAttention, decodeAppend, rowLinear, rowLinearReady, slabAttention, wasmAttentionReady } from './wasm-attention';
import type { FastLayer, FastModel } from './prepare';
import { EMBED, GELU, GELU_K1, GELU_K3, registerWasmKernels } from './wasm-kernels';
import { LAYER_NORM, registerWebGPUNormalize } from './webgpu-layernorm';

/**
 * The fast forward pass: the same math as lib/gpt/forward.ts, in fewer tfjs kernels.
 *
 * Read forward.ts first; this file is the same pass rewritten for speed, and tests hold the two equal
 * (max |Δlogits| ≤ 1e-4). Each kernel a decode step launches costs a fixed 4–50 µs of dispatch, which
 * at this model size outweighs the arithmetic, so:
 * - LayerNorm computes only x̂ (its gain and bias are folded into the next weights, prepare.ts), as one
 *   kernel on WebGPU (webgpu-layernorm.ts) and on wasm (wasm-kernels.ts, which also makes GELU one) —
 *   and for one row on wasm inside the gemv of the linear layer it feeds, as GELU is inside the MLP's;
 * - the input embedding, token plus position, is one kernel on wasm (wasm-kernels.ts) instead of a
 *   Range, two Gathers and an Add;
 * - every linear layer is one fused matMul + bias kernel, with no customGrad wrapper (no training here);
 * - one new token (T = 1) splits into heads by reshape alone, and attends with one batched product
 *   per side — or, on WebGPU, one fused kernel (decode-attention.ts); on wasm a cached step's split,
 *   cache append and attention are one kernel, and so is a pass's causal attention from position 0
 *   (wasm-attention.ts: SIMD WebAssembly over tfjs's heap);
 * - the causal mask is built on the host once per multi-token pass and shared by every layer (a
 *   strided tf.slice of one load-time [blockSize²] mask read the whole mask on wasm: ~12 ms a layer at
 *   blockSize 1,024); a decode step needs none.
 * It takes and returns the same KVCache value as forward(), for the full (float) cache and, on wasm,
 * the static one (kvcache-static.ts: rows written in place into a reservation, for a first pass or
 * one new token); any other kind, or a cache something was evicted from, goes to forward() itself.
 */
export function forwardFast(fm: FastModel, idx: tf.Tensor2D, cache: KVCache | null, opts: { logits?: 'all' | 'last' } = {}): ForwardResult {
  const c = fm.config;
  const [B, T] = idx.shape;
  if (cache && !servesFast(cache, T, headSize(c))) return forward(fm.model, idx, cache, opts);
  const pos0 = cache ? cache.next : 0;
  if (T < 1) throw new RangeError('forward needs at least one token');
  if (pos0 + T > c.blockSize) {
    throw new ContextOverflowError(`${pos0} cached + ${T} new positions exceed the context of ${c.blockSize}`);
  }
  if (B !== 1) throw new RangeError('the fast path runs one sequence: batch size must be 1');

  // tf.tidy walks everything its function returns, looking for tensors, element by element: so the
  // stores leave it alone and each layer's positions (one array per layer, every entry of it) are
  // added after. Returned from inside, they cost ~50 µs a step at 255 positions (measured), enough to
  // make a cached step's time grow with the cache for a reason that has nothing to do with attention.
  const { logits, stores } = tidyObject(() => {
    const C = c.nEmbd;
    let x = embed(fm, idx, pos0); // [1, T, C]
    const stores: (LayerKV | StaticStore)[] = [];
    // A static cache's capacity: its rows are written in place into position-major slabs.
    const slab = cache ? staticCapacity(cache.kind) : null;
    const lastOnly = opts.logits === 'last';
    // [T, pos0 + T]; wasm's causal kernel needs none from position 0.
    const mask = T > 1 && !(pos0 === 0 && wasmAttentionReady(headSize(c))) ? causalMask(pos0, T) : null;
    for (let i = 0; i < c.nLayer; i++) {
      // Only the last position's output reaches the logits 'last' asks for: the last layer computes
      // keys and values for all T positions (the cache needs them) but the rest for one row.
      const prev = (cache?.layers[i] as CacheLayer<LayerKV | StaticStore> | undefined) ?? null;
      const store: CacheStore = slab
        ? { slab: (prev?.store as StaticStore | undefined) ?? null, capacity: slab }
        : ((prev?.store as LayerKV | undefined) ?? null);
      const out = fastBlock(fm, x, fm.layers[i], store, mask, cache !== null, lastOnly && i === c.nLayer - 1);
      x = out.x; // [1, T, C], or [1, 1, C] after a last-only layer
      if (out.kv) stores.push(out.kv);
    }
    const Tout = lastOnly ? 1 : T;
    const xl = x.shape[1] === Tout ? x : tf.slice(x, [0, T - 1, 0], [1, 1, C]); // [1, Tout, C]
    return { logits: linear(xl, fm.headW, fm.headB, { norm: true }), stores }; // [1, Tout, V]: ln_f, then the head
  });
  if (!cache) return { logits, cache: null };
  // The same value cacheStep(…).finish() builds for the full kind. Nothing was evicted (servesFast), so
  // every layer holds positions 0…pos0+T−1: one array, shared.
  const positions = [...(cache.layers[0]?.positions ?? []), ...positionRange(pos0, T)];
  const layers: CacheLayer<LayerKV | StaticStore>[] = stores.map((store) => ({ store, positions }));
  return { logits, cache: { ...cache, layers, length: pos0 + T, next: pos0 + T, steps: cache.steps + 1 } };
}

/** Token plus position embedding, wte[idx] + wpe[pos0…]: [1, T, C]. One kernel on wasm (wasm-kernels.ts). */
function embed(fm: FastModel, idx: tf.Tensor2D, pos0: number): tf.Tensor3D {
  if (tf.getBackend() === 'wasm') {
    registerWasmKernels();
    return tf.engine().runKernel(EMBED, { wte: fm.wte, wpe: fm.wpe, ids: idx }, { pos0 }) as tf.Tensor3D;
  }
  // Gathered, not sliced: a Slice of wpe reads all of it on some backends (tfjs-wasm's, through JavaScript).
  return tf.add(tf.gather(fm.wte, idx), tf.gather(fm.wpe, tf.range(pos0, pos0 + idx.shape[1], 1, 'int32'))) as tf.Tensor3D;
}

/** What a linear layer does around its product. */
interface LinearOptions {
  /** LayerNorm's normalisation of x first (its affine part is folded into w and b, prepare.ts). */
  norm?: boolean;
  /** [1, T, out] added to the product: a block's two output projections, x + attn(x̂), x + mlp(x̂). */
  residual?: tf.Tensor3D;
  /** GELU of the product: the MLP's first layer. */
  gelu?: boolean;
}

/**
 * [norm(x)] [1, T, in] · w [1, in, out] + b [+ residual | → GELU] → [1, T, out]: one fused matMul + bias
 * kernel (tf.fused.matMul would add two reshapes and a customGrad scope per call; inference needs
 * neither), with the LayerNorm before it and the GELU or sum after it as kernels of their own. One row
 * on wasm (a decode step) is one kernel in all: the module's gemv, which reads each weight matrix in
 * one pass, normalises its input row first and adds the residual or applies GELU to its output
 * (wasm-attention.ts).
 */
function linear(x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor1D, opts: LinearOptions = {}): tf.Tensor3D {
  const { norm = false, residual, gelu: activate = false } = opts;
  if (residual && activate) throw new RangeError('a linear layer adds a residual or applies GELU, not both');
  if (x.shape[1] === 1 && rowLinearReady(w.shape[2]))
    return rowLinear(x, w, b, { residual, gelu: activate, normalizeEps: norm ? LAYER_NORM_EPS : undefined });
  const attrs = { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 };
  const a = norm ? normalize(x) : x;
  const y = tf.engine().runKernel(tf._FusedMatMul, { a, b: w, bias: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  if (activate) return gelu(y);
  return residual ? (tf.add(residual, y) as tf.Tensor3D) : y;
}

/** Causal mask of T queries at positions pos0… over pos0 + T keys: 0 where a key is visible, −∞ after it. */
function causalMask(pos0: number, T: number): tf.Tensor2D {
  const Tk = pos0 + T;
  const data = new Float32Array(T * Tk);
  for (let r = 0; r < T; r++) data.fill(-Infinity, r * Tk + pos0 + r + 1, (r + 1) * Tk);
  return tf.tensor2d(data, [T, Tk]);
}

/**
 * The fast path stores rows as the full kind does, contiguously from position 0 (mask and position
 * slices rely on it) — or, on wasm, as the static kind does, for a first pass or one new token.
 */
function servesFast(cache: KVCache, T: number, hs: number): boolean {
  if (cache.length !== cache.next || cache.evictions.length > 0 || cache.layers.some((l) => l.mass)) return false;
  if (cache.kind === fullCache) return true;
  return staticCapacity(cache.kind) !== null && (T === 1 || cache.length === 0) && wasmAttentionReady(hs);
}

/** What a layer's attention appends to: a full cache's [nkv, T, hs] tensors, or a static cache's store and capacity. */
type CacheStore = LayerKV | { slab: StaticStore | null; capacity: number } | null;
const isSlab = (s: CacheStore): s is { slab: StaticStore | null; capacity: number } => s !== null && 'capacity' in s;

/** LayerNorm without its affine part: (x − mean) / √(var + ε) over the last axis. One kernel on WebGPU and wasm. */
function normalize(x: tf.Tensor3D): tf.Tensor3D {
  const backend = tf.getBackend();
  if (backend === 'webgpu' || backend === 'wasm') {
    if (backend === 'webgpu') registerWebGPUNormalize();
    else registerWasmKernels();
    return tf.engine().runKernel(LAYER_NORM, { x }, { eps: LAYER_NORM_EPS }) as tf.Tensor3D;
  }
  const d = tf.sub(x, tf.mean(x, -1, true)); // [1, T, C]
  const variance = tf.mean(tf.square(d), -1, true); // [1, T, 1]
  return tf.mul(d, tf.rsqrt(tf.add(variance, LAYER_NORM_EPS))) as tf.Tensor3D;
}

/** GPT-2's tanh GELU in its equal sigmoid form, 0.5·(1 + tanh(u)) = σ(2u): x·σ(k1·x + k3·x³). 6 kernels, not 8; one on wasm. */
function gelu(x: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() === 'wasm') {
    registerWasmKernels();
    return tf.engine().runKernel(GELU, { x }) as tf.Tensor3D;
  }
  const inner = tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_K3), GELU_K1)); // k1·x + k3·x³
  return tf.mul(x, tf.sigmoid(inner)) as tf.Tensor3D;
}

function fastBlock(
  fm: FastModel,
  x: tf.Tensor3D,
  L: FastLayer,
  past: CacheStore,
  mask: tf.Tensor2D | null,
  caching: boolean,
  lastOnly: boolean,
) {
  const [, T, C] = x.shape;
  const a = fastAttention(fm, x, L, past, mask, caching, lastOnly);
  const xr = lastOnly && T > 1 ? tf.slice(x, [0, T - 1, 0], [1, 1, C]) : x; // the rows a.y holds
  const x1 = linear(a.y, L.projW, L.projB, { residual: xr }); // [1, T or 1, C]: x + attention's projection
  const h = linear(x1, L.fcW, L.fcB, { norm: true, gelu: true }); // [1, T, 4C]: GELU(ln_2(x1)·W + b)
  return { x: linear(h, L.mlpProjW, L.mlpProjB, { residual: x1 }), kv: a.kv };
}

/**
 * A layer's attention over the residual stream x (ln_1 is applied here: by the qkv gemv itself for
 * one row on wasm): its heads' outputs [1, T or 1, C], before the output projection (fastBlock applies
 * it with the residual), and the layer's cache store.
 */
function fastAttention(
  fm: FastModel,
  x: tf.Tensor3D,
  L: FastLayer,
  store: CacheStore,
  mask: tf.Tensor2D | null,
  caching: boolean,
  lastOnly: boolean,
): { y: tf.Tensor3D; kv: LayerKV | StaticStore | null } {
  const c = fm.config;
  const T = x.shape[1];
  const C = c.nEmbd;
  const nkv = c.nKvHead;
  const hs = headSize(c);
  const g = c.nHead / nkv;
  if (isSlab(store)) return slabAttentionLayer(fm, x, L, store.slab, store.capacity, lastOnly);
  const past = store;
  if (T === 1 && caching && past && wasmAttentionReady(hs)) {
    // A cached decode step on wasm: the fused qkv row goes straight to one kernel that appends the new
    // key and value to the cache and attends over it (wasm-attention.ts): no split, concat or matMul.
    const [y, k, v] = decodeAppend(linear(x, L.qkvW, L.qkvB, { norm: true }), past.k, past.v);
    return { y, kv: { k, v } };
  }
  // One token: one fused qkv product, split, and [1, 1, n·hs] is already [n, 1, hs] in memory, so heads
  // need no transpose. Several: q, k and v as three products of one normalised x (prepare.ts says why
  // not a split).
  const xhat = T === 1 ? null : normalize(x);
  const [q2, k2, v2] = xhat
    ? L.qkvParts.map((p) => linear(xhat, p.w, p.b)) // [1, T, C], [1, T, nkv·hs] ×2
    : tf.split(linear(x, L.qkvW, L.qkvB, { norm: true }), [C, nkv * hs, nkv * hs], 2); // q already × 1/√hs
  const heads = (t: tf.Tensor, n: number) =>
    (T === 1 ? tf.reshape(t, [n, 1, hs]) : tf.transpose(tf.reshape(t, [T, n, hs]), [1, 0, 2])) as tf.Tensor3D; // [n, T, hs]
  if (T > 1 && !past && !lastOnly && wasmAttentionReady(hs)) {
    // A whole sequence from position 0 on wasm (a naive step, a first prefill): one causal kernel reads
    // q, k and v where they lie (wasm-attention.ts); only the cache needs its rows split into heads.
    const kv = caching ? { k: heads(k2, nkv), v: heads(v2, nkv) } : null;
    return { y: causalAttention(q2 as tf.Tensor3D, k2 as tf.Tensor3D, v2 as tf.Tensor3D, hs), kv };
  }
  let k = heads(k2, nkv); // [nkv, T, hs]
  let v = heads(v2, nkv);
  let kv: LayerKV | null = null;
  if (caching) {
    k = past ? (tf.concat([past.k, k], 1) as tf.Tensor3D) : k; // [nkv, Tp+T, hs]
    v = past ? (tf.concat([past.v, v], 1) as tf.Tensor3D) : v;
    kv = { k, v };
  }
  const Tk = k.shape[1];
  let y: tf.Tensor; // [1, T, C], or [1, 1, C] for one query
  if (T === 1 || lastOnly) {
    // One query (a decode step, or the last position only): it may see every key, so no mask.
    const qLast = T === 1 ? q2 : tf.slice(q2, [0, T - 1, 0], [1, 1, C]); // [1, 1, C]: a contiguous row
    y = tf.reshape(decodeAttention(tf.reshape(qLast, [nkv, g, hs]) as tf.Tensor3D, k, v), [1, 1, C]); // [1, 1, C]
  } else {
    const q = tf.reshape(heads(q2, c.nHead), [nkv, g * T, hs]) as tf.Tensor3D; // [nkv, g·T, hs] a group's queries stacked
    const scores = tf.reshape(tf.matMul(q, tf.transpose(k, [0, 2, 1]) as tf.Tensor3D), [nkv, g, T, Tk]); // [nkv, g, T, Tk]
    const masked = tf.add(scores, mask!); // [T, Tk]: rows Tp..Tp+T-1
    const att = tf.reshape(tf.softmax(masked), [nkv, g * T, Tk]) as tf.Tensor3D;
    const yh = tf.reshape(tf.matMul(att, v), [c.nHead, T, hs]); // [nh, T, hs]
    y = tf.reshape(tf.transpose(yh, [1, 0, 2]), [1, T, C]); // [1, T, C]
  }
  return { y: y as tf.Tensor3D, kv };
}

/**
 * Attention with a static cache on wasm (servesFast admits a first pass or one new token): the new
 * keys and values — rows of the projections already, position-major — are written into the
 * store's slab in place (kvcache-static.ts claims the rows, copying the slab first if another live
 * store holds them), then one query row attends over the slab (wasm-attention.ts) or, for a whole
 * first pass, the causal kernel reads the projections as the full cache's path does.
 */
function slabAttentionLayer(fm: FastModel, x: tf.Tensor3D, L: FastLayer, prev: StaticStore | null, capacity: number, lastOnly: boolean) {
  const c = fm.config;
  const T = x.shape[1];
  const C = c.nEmbd;
  const hs = headSize(c);
  const width = c.nKvHead * hs;
  const rowShape = [c.nKvHead, hs] as const;
  if (T === 1) {
    const qkv = linear(x, L.qkvW, L.qkvB, { norm: true }); // [1, 1, C + 2·width]: q, then the new key and value rows
    const kv = claimRows(prev, 1, capacity, rowShape);
    const at = kv.length - 1;
    writePositionMajor(kv.slab.k, at, qkv, C, 1);
    writePositionMajor(kv.slab.v, at, qkv, C + width, 1);
    return { y: slabAttention(qkv, kv.slab.k, kv.slab.v, kv.length, hs, c.nHead / c.nKvHead), kv };
  }
  const xhat = normalize(x);
  const [q2, k2, v2] = L.qkvParts.map((p) => linear(xhat, p.w, p.b)); // [1, T, C], [1, T, width] ×2
  const kv = claimRows(null, T, capacity, rowShape);
  writePositionMajor(kv.slab.k, 0, k2, 0, T);
  writePositionMajor(kv.slab.v, 0, v2, 0, T);
  if (!lastOnly) return { y: causalAttention(q2 as tf.Tensor3D, k2 as tf.Tensor3D, v2 as tf.Tensor3D, hs), kv };
  // Only the last position's output is wanted: one query row over the whole slab.
  const qLast = tf.slice(q2, [0, T - 1, 0], [1, 1, C]) as tf.Tensor3D;
  return { y: slabAttention(qLast, kv.slab.k, kv.slab.v, T, hs, c.nHead / c.nKvHead), kv };
}
