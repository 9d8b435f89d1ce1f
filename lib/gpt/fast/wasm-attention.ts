import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_WASM } from './attention-wasm';
import type { WasmHeapBackend } from './wasm-kernels';

/**
 * The fast path's attention (and a decode step's linear layers) on tfjs's wasm backend, as registered
 * kernels running a small WebAssembly module of our own (attention.wat, SIMD), instantiated against
 * tfjs-wasm's own memory so nothing is copied in or out. The softmax between each kernel's two passes
 * runs in the module too, with its own exp (wasm has none); in JavaScript it took longer than either
 * pass (~20 µs a layer of `austen` at 255 positions, measured).
 *
 * DECODE_APPEND, a cached decode step's attention and cache append as one kernel:
 * qkv [1, 1, nkv·g·hs + 2·nkv·hs] (the fused c_attn product's one row: q × 1/√hs already, then the new
 * key and value, each already [nkv, 1, hs] in memory), pastK/pastV [nkv, Tp, hs] →
 * [y [1, 1, nkv·g·hs], K′ = pastK ++ new key, V′ = pastV ++ new value] ([nkv, Tp + 1, hs] each); y is
 * the heads' outputs [nkv, g, hs] in memory, shaped as the row the output projection takes.
 * Op by op this is a Split and two Concats (tfjs-wasm copies each in JavaScript), q·Kᵀ and p·V through
 * tfjs-wasm's batched BatchMatMul (a scalar C++ loop: ~2.3 ns per multiply-add, measured) and a
 * softmax. Here each cached row is read from memory once: copied into the new cache, then dotted with
 * the queries (keys) or added into the outputs (values) while it is still in cache. The cache stays an
 * immutable value: K′ and V′ are new tensors, as tf.concat's would be.
 *
 * CAUSAL_ATTENTION, a whole sequence from position 0 (a naive step, a first prefill): see causalKernel.
 *
 * SLAB_ATTENTION, a cached decode step over a static cache (kvcache-static.ts), whose new row is
 * written in place, so nothing is copied at all: see slabKernel.
 *
 * ROW_LINEAR, one row through a linear layer (every matMul of a decode step, the MLP's with its GELU):
 * see rowLinearKernel.
 */
export const DECODE_APPEND = 'KVLabDecodeAppend';
export const CAUSAL_ATTENTION = 'KVLabCausalAttention';
export const SLAB_ATTENTION = 'KVLabSlabAttention';
export const ROW_LINEAR = 'KVLabRowLinear';

/** attention.wat's exports (pointers are byte offsets into the memory it runs over). */
export interface AttentionExports {
  append_scores(q: number, pastK: number, newK: number, outK: number, scores: number, nkv: number, g: number, hs: number, Tp: number): void;
  append_weighted(
    probs: number,
    pastV: number,
    newV: number,
    outV: number,
    y: number,
    nkv: number,
    g: number,
    hs: number,
    Tp: number,
  ): void;
  causal_scores(q: number, k: number, scores: number, T: number, qStride: number, kStride: number, hs: number): void;
  causal_weighted(probs: number, v: number, y: number, T: number, yStride: number, vStride: number, hs: number): void;
  softmax_rows(scores: number, rows: number, n: number): void;
  slab_scores(q: number, slab: number, scores: number, n: number, rowStride: number, nkv: number, g: number, hs: number): void;
  slab_weighted(probs: number, slab: number, y: number, n: number, rowStride: number, nkv: number, g: number, hs: number): void;
  softmax_causal(scores: number, T: number): void;
  gemv(x: number, w: number, bias: number, residual: number, y: number, K: number, N: number): void;
  gelu(at: number, n: number): void;
  normalize_row(x: number, out: number, K: number, eps: number): void;
  read_sum(at: number, bytes: number): number;
}

/** What the kernels use of tfjs-wasm's BackendWasm beyond wasm-kernels.ts's (its Emscripten module holds the memory). */
interface WasmBackendLike extends WasmHeapBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown };
}

/** What tfjs passes a kernel function. */
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Per tfjs-wasm memory: the instantiated module, or null once it failed there (never retried per step). */
const instances = new WeakMap<WebAssembly.Memory, AttentionExports | null>();

/**
 * The module instantiated over this backend's memory, or null where it cannot be: tfjs-wasm's
 * threaded build (a shared memory, only on cross-origin-isolated pages), or no WebAssembly SIMD.
 */
function exportsFor(backend: WasmBackendLike): AttentionExports | null {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  if (instances.has(memory)) return instances.get(memory) ?? null;
  const ex = instantiateOver(memory); // null: the op-by-op path runs
  instances.set(memory, ex);
  return ex;
}

/** The compiled module, once per page or process. */
let compiled: WebAssembly.Module | undefined;

/**
 * attention.wat instantiated over `memory` (tfjs-wasm's heap, or a memory of the caller's own, as the
 * bench's read probe uses), or null where it cannot be: no WebAssembly SIMD.
 */
export function instantiateOver(memory: WebAssembly.Memory): AttentionExports | null {
  try {
    // Synchronous on purpose: the module is ~4 KB, and the model runs in a worker. Chrome capped a
    // main thread's synchronous compile at 4 KB until version 114 (8 MB since); where a browser still
    // refuses it, this returns null and the op-by-op path runs.
    compiled ??= new WebAssembly.Module(Uint8Array.from(atob(ATTENTION_WASM), (c) => c.charCodeAt(0)));
    return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as AttentionExports;
  } catch {
    return null;
  }
}

/**
 * A kernel's module and tensors' byte offsets in the heap (`at` reads the offset afresh: growing the
 * heap, which any allocation may do, detaches earlier views).
 */
function moduleFor(backend: unknown, kernel: string): { b: WasmBackendLike; ex: AttentionExports; at: (t: tf.TensorInfo) => number } {
  const b = backend as WasmBackendLike;
  const ex = exportsFor(b);
  if (!ex) throw new Error(`the ${kernel} kernel needs its WebAssembly module: check wasmAttentionReady() first`);
  return { b, ex, at: (t) => b.typedArrayFromHeap(t).byteOffset };
}

function decodeAppendKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { qkv, pastK, pastV } = inputs as Record<'qkv' | 'pastK' | 'pastV', tf.TensorInfo>;
  const [nkv, Tp, hs] = pastK.shape;
  const g = qkv.shape[2] / (nkv * hs) - 2;
  const Tk = Tp + 1;
  const { b, ex, at } = moduleFor(backend, 'decode-append');
  const y = b.makeOutput([1, 1, nkv * g * hs], 'float32');
  const k = b.makeOutput([nkv, Tk, hs], 'float32');
  const v = b.makeOutput([nkv, Tk, hs], 'float32');
  const scores = b.makeOutput([nkv * g * Tk], 'float32');
  const q = at(qkv);
  const newK = q + 4 * nkv * g * hs;
  const newV = newK + 4 * nkv * hs;
  ex.append_scores(q, at(pastK), newK, at(k), at(scores), nkv, g, hs, Tp);
  ex.softmax_rows(at(scores), nkv * g, Tk);
  ex.append_weighted(at(scores), at(pastV), newV, at(v), at(y), nkv, g, hs, Tp);
  b.disposeData(scores.dataId, true);
  return [y, k, v];
}

/**
 * Causal attention over a whole sequence from its first position, reading the projections in place:
 * q [1, T, nh·hs] (× 1/√hs already), k and v [1, T, nkv·hs] → y [1, T, nh·hs], query head h using
 * key/value head ⌊h / g⌋. Op by op: three transposes into heads, q·Kᵀ, a mask, softmax, ·V and a
 * transpose back; tfjs-wasm's BatchMatMul alone measured ~2.3 ns per multiply-add.
 */
function causalKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { q, k, v } = inputs as Record<'q' | 'k' | 'v', tf.TensorInfo>;
  const hs = (attrs as unknown as { headSize: number }).headSize;
  const [, T, C] = q.shape;
  const KV = k.shape[2];
  const g = C / KV;
  const { b, ex, at } = moduleFor(backend, 'causal attention');
  const y = b.makeOutput([1, T, C], 'float32');
  const scores = b.makeOutput([T * T], 'float32');
  const [qp, kp, vp, yp, sp] = [at(q), at(k), at(v), at(y), at(scores)];
  for (let h = 0; h < C / hs; h++) {
    const kvCol = Math.floor(h / g) * hs * 4;
    ex.causal_scores(qp + h * hs * 4, kp + kvCol, sp, T, C * 4, KV * 4, hs);
    ex.softmax_causal(sp, T); // row t over keys 0…t
    ex.causal_weighted(sp, vp + kvCol, yp + h * hs * 4, T, C * 4, KV * 4, hs);
  }
  b.disposeData(scores.dataId, true);
  return y;
}

/**
 * A static cache's decode step (kvcache-static.ts): one query row — q [1, 1, nkv·g·hs] (× 1/√hs),
 * or the fused qkv row that starts with it — attends over rows 0…length−1 of position-major slabs
 * [capacity, nkv·hs], whose newest row the caller has already written in place → y [1, 1, nkv·g·hs]
 * (the heads' outputs [nkv, g, hs] in memory).
 * Nothing is copied: the slabs are read once, front to back.
 */
function slabKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { q, slabK, slabV } = inputs as Record<'q' | 'slabK' | 'slabV', tf.TensorInfo>;
  const { length: n, headSize: hs, groups: g } = attrs as unknown as { length: number; headSize: number; groups: number };
  const nkv = slabK.shape[1] / hs;
  const width = nkv * hs;
  const { b, ex, at } = moduleFor(backend, 'slab attention');
  const y = b.makeOutput([1, 1, nkv * g * hs], 'float32');
  const scores = b.makeOutput([nkv * g * n], 'float32');
  ex.slab_scores(at(q), at(slabK), at(scores), n, width * 4, nkv, g, hs);
  ex.softmax_rows(at(scores), nkv * g, n);
  ex.slab_weighted(at(scores), at(slabV), at(y), n, width * 4, nkv, g, hs);
  b.disposeData(scores.dataId, true);
  return y;
}

/**
 * One row through a linear layer: x [1, 1, K] · w [1, K, N] + bias [N] → [1, 1, N], N a multiple of 4.
 * This is every matMul of a decode step, where each weight is read once for one row: bandwidth, not
 * arithmetic. tfjs-wasm's XNNPACK matMul reads the ~11M model's 25 matrices (44 MB) in ~3.9 ms; the
 * module's gemv, one pass down each matrix, four adjacent rows at a time, took 1.8–2.6 ms (measured
 * here, with the weights in the last-level cache; from DRAM both wait on memory alike), and reading
 * four rows from the matrix's four quarters (four forward streams) ×0.73–0.92 of that. With a `residual`
 * [1, 1, N] it returns residual + x·w + bias, the residual stream's sum without an Add of its own;
 * with attr `gelu`, GELU(x·w + bias), the MLP's first layer and its activation; with attr `eps`, x is
 * LayerNorm-normalised first (x̂ = (x − mean) / √(var + eps), into a scratch row), so the LayerNorm
 * before each of a block's linear layers (and the head) is no kernel of its own either.
 */
function rowLinearKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, w, bias, residual } = inputs as Record<'x' | 'w' | 'bias', tf.TensorInfo> & { residual?: tf.TensorInfo };
  const { gelu, eps } = (attrs ?? {}) as { gelu?: boolean; eps?: number };
  const [, K, N] = w.shape;
  const { b, ex, at } = moduleFor(backend, 'row linear');
  const y = b.makeOutput([1, 1, N], 'float32');
  const xhat = eps === undefined ? null : b.makeOutput([K], 'float32');
  if (xhat) ex.normalize_row(at(x), at(xhat), K, eps!);
  ex.gemv(at(xhat ?? x), at(w), at(bias), residual ? at(residual) : 0, at(y), K, N);
  if (gelu) ex.gelu(at(y), N);
  if (xhat) b.disposeData(xhat.dataId, true);
  return y;
}

/**
 * GELU over `out` in place with the module's SIMD form (attention.wat's gelu), for wasm-kernels.ts's
 * GELU kernel; false where the module cannot run, and that kernel's JavaScript loop does it instead.
 * Math.exp per element took ~27 µs for one 512-wide row (measured), a quarter of an `austen` step's MLP.
 */
export function geluInPlace(backend: unknown, out: tf.TensorInfo): boolean {
  const ex = exportsFor(backend as WasmBackendLike);
  if (!ex) return false;
  ex.gelu((backend as WasmBackendLike).typedArrayFromHeap(out).byteOffset, tf.util.sizeFromShape(out.shape));
  return true;
}

let registered = false;

/** True when the current backend is wasm and the module runs over its memory; registers its kernels the first time. */
function wasmModuleReady(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!exportsFor(tf.backend() as unknown as WasmBackendLike)) return false;
  if (!registered) {
    if (!tf.getKernel(DECODE_APPEND, 'wasm'))
      tf.registerKernel({ kernelName: DECODE_APPEND, backendName: 'wasm', kernelFunc: decodeAppendKernel as unknown as tf.KernelFunc });
    if (!tf.getKernel(SLAB_ATTENTION, 'wasm'))
      tf.registerKernel({ kernelName: SLAB_ATTENTION, backendName: 'wasm', kernelFunc: slabKernel as unknown as tf.KernelFunc });
    if (!tf.getKernel(CAUSAL_ATTENTION, 'wasm'))
      tf.registerKernel({ kernelName: CAUSAL_ATTENTION, backendName: 'wasm', kernelFunc: causalKernel as unknown as tf.KernelFunc });
    if (!tf.getKernel(ROW_LINEAR, 'wasm'))
      tf.registerKernel({ kernelName: ROW_LINEAR, backendName: 'wasm', kernelFunc: rowLinearKernel as unknown as tf.KernelFunc });
    registered = true;
  }
  return true;
}

/** True when the attention kernels can run here: wasm, the module, and a head width of a multiple of 8 floats. */
export function wasmAttentionReady(hs: number): boolean {
  return hs % 8 === 0 && wasmModuleReady();
}

/** True when rowLinear can run here: wasm, the module, and an output width of a positive multiple of 4. */
export function rowLinearReady(outWidth: number): boolean {
  return outWidth > 0 && outWidth % 4 === 0 && wasmModuleReady();
}

/** What a row linear does around its product: normalise x first, add a residual or apply GELU after. */
export interface RowLinearOptions {
  /** LayerNorm's ε: x is normalised, (x − mean) / √(var + ε), before the product. */
  normalizeEps?: number;
  /** [1, 1, N] added to the product: residual + x·w + bias. */
  residual?: tf.Tensor3D;
  /** GELU(x·w + bias). Not with a residual. */
  gelu?: boolean;
}

/** x [1, 1, K] · w [1, K, N] + bias [N] → [1, 1, N], with what `opts` adds. Call rowLinearReady first. */
export function rowLinear(x: tf.Tensor3D, w: tf.Tensor3D, bias: tf.Tensor1D, opts: RowLinearOptions = {}): tf.Tensor3D {
  const { residual, gelu = false, normalizeEps } = opts;
  if (residual && (residual.shape.length !== 3 || residual.shape[2] !== w.shape[2] || residual.size !== w.shape[2]))
    throw new RangeError(`a row linear's residual must be [1, 1, ${w.shape[2]}], not [${residual.shape.join(', ')}]`);
  if (residual && gelu) throw new RangeError('a row linear adds a residual or applies GELU, not both');
  const attrs = { ...(gelu ? { gelu } : {}), ...(normalizeEps === undefined ? {} : { eps: normalizeEps }) } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(ROW_LINEAR, residual ? { x, w, bias, residual } : { x, w, bias }, attrs) as tf.Tensor3D;
}

/** One cached step's attention and append: [y [1, 1, nkv·g·hs], K′, V′ [nkv, Tp + 1, hs]]. Call wasmAttentionReady first. */
export function decodeAppend(qkv: tf.Tensor3D, pastK: tf.Tensor3D, pastV: tf.Tensor3D): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  return tf.engine().runKernel(DECODE_APPEND, { qkv, pastK, pastV }, {}) as unknown as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
}

/** Causal attention from position 0: q [1, T, nh·hs], k and v [1, T, nkv·hs] → [1, T, nh·hs]. Call wasmAttentionReady first. */
export function causalAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, headSize: number): tf.Tensor3D {
  return tf.engine().runKernel(CAUSAL_ATTENTION, { q, k, v }, { headSize } as unknown as tf.NamedAttrMap) as tf.Tensor3D;
}

/**
 * A static cache's decode attention of one query row (q, or the fused qkv row that starts with it) over
 * slab rows 0…length−1: y [1, 1, nkv·g·hs]. Call wasmAttentionReady first.
 */
export function slabAttention(
  q: tf.Tensor3D,
  slabK: tf.Tensor2D,
  slabV: tf.Tensor2D,
  length: number,
  headSize: number,
  groups: number,
): tf.Tensor3D {
  const attrs = { length, headSize, groups } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(SLAB_ATTENTION, { q, slabK, slabV }, attrs) as tf.Tensor3D;
}
