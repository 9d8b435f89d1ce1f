import * as tf from '@tensorflow/tfjs-core';
import { DECODE_APPEND_WASM } from './decode-append-wasm';

/**
 * A cached decode step's attention and cache append as one kernel on tfjs's wasm backend:
 * qkv [1, 1, nkv·g·hs + 2·nkv·hs] (the fused c_attn product's one row: q × 1/√hs already, then the new
 * key and value, each already [nkv, 1, hs] in memory), pastK/pastV [nkv, Tp, hs] →
 * [y [nkv, g, hs], K′ = pastK ++ new key, V′ = pastV ++ new value] ([nkv, Tp + 1, hs] each).
 *
 * Op by op this is a Split (tfjs-wasm copies it in JavaScript), two Concats (tfjs-wasm copies them in JavaScript), q·Kᵀ and p·V through
 * tfjs-wasm's batched BatchMatMul (a scalar C++ loop: ~2.3 ns per multiply-add, measured) and a
 * softmax. Here a small WebAssembly module of our own (decode-append.wat, SIMD), instantiated against
 * tfjs-wasm's own memory so nothing is copied in or out, reads each cached row once: it copies the row
 * into the new cache and, while it is in L1, dots it with the queries (keys) or adds it into the
 * outputs (values). The softmax between the two passes runs in JavaScript over the heap (wasm has no
 * exp). The cache stays an immutable value: K′ and V′ are new tensors, as tf.concat's would be.
 */
export const DECODE_APPEND = 'KVLabDecodeAppend';

interface AppendExports {
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
}

/** What the kernel uses of tfjs-wasm's BackendWasm (its Emscripten module holds the memory). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown };
}

const instances = new WeakMap<WebAssembly.Memory, AppendExports>();

/**
 * The module instantiated over this backend's memory, or null where it cannot be: tfjs-wasm's
 * threaded build (a shared memory, only on cross-origin-isolated pages), or no WebAssembly SIMD.
 */
function exportsFor(backend: WasmBackendLike): AppendExports | null {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  const known = instances.get(memory);
  if (known) return known;
  try {
    const bytes = Uint8Array.from(atob(DECODE_APPEND_WASM), (c) => c.charCodeAt(0));
    // Synchronous on purpose: the module is under 1 KB, well inside the browsers' limit for that.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const ex = instance.exports as unknown as AppendExports;
    instances.set(memory, ex);
    return ex;
  } catch {
    return null;
  }
}

/** softmax over each row of `rows` × `n`, in place (float64 sums, as tfjs's Softmax on wasm keeps float32 — both well within 1e-4). */
function softmaxRows(s: Float32Array, rows: number, n: number): void {
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    let max = -Infinity;
    for (let t = 0; t < n; t++) if (s[base + t] > max) max = s[base + t];
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const e = Math.exp(s[base + t] - max);
      s[base + t] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let t = 0; t < n; t++) s[base + t] *= inv;
  }
}

function kernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const { qkv, pastK, pastV } = inputs as Record<'qkv' | 'pastK' | 'pastV', tf.TensorInfo>;
  const [nkv, Tp, hs] = pastK.shape;
  const g = qkv.shape[2] / (nkv * hs) - 2;
  const Tk = Tp + 1;
  const b = backend as WasmBackendLike;
  const ex = exportsFor(b);
  if (!ex) throw new Error('the decode-append kernel needs its WebAssembly module: check wasmDecodeAppendReady() first');
  const y = b.makeOutput([nkv, g, hs], 'float32');
  const k = b.makeOutput([nkv, Tk, hs], 'float32');
  const v = b.makeOutput([nkv, Tk, hs], 'float32');
  const scores = b.makeOutput([nkv * g * Tk], 'float32');
  // Byte offsets into the heap; views are taken after every allocation (growing the heap detaches them).
  const at = (t: tf.TensorInfo) => b.typedArrayFromHeap(t).byteOffset;
  const q = at(qkv);
  const newK = q + 4 * nkv * g * hs;
  const newV = newK + 4 * nkv * hs;
  ex.append_scores(q, at(pastK), newK, at(k), at(scores), nkv, g, hs, Tp);
  softmaxRows(b.typedArrayFromHeap(scores), nkv * g, Tk);
  ex.append_weighted(at(scores), at(pastV), newV, at(v), at(y), nkv, g, hs, Tp);
  b.disposeData(scores.dataId, true);
  return [y, k, v];
}

let registered = false;

/**
 * True when the current backend is wasm, the module runs over its memory, and a head's width suits
 * it (a multiple of 8 floats); registers the kernel the first time.
 */
export function wasmDecodeAppendReady(hs: number): boolean {
  if (tf.getBackend() !== 'wasm' || hs % 8 !== 0) return false;
  if (!exportsFor(tf.backend() as unknown as WasmBackendLike)) return false;
  if (!registered) {
    if (!tf.getKernel(DECODE_APPEND, 'wasm'))
      tf.registerKernel({ kernelName: DECODE_APPEND, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc });
    registered = true;
  }
  return true;
}

/** One cached step's attention and append: [y [nkv, g, hs], K′, V′ [nkv, Tp + 1, hs]]. Call wasmDecodeAppendReady first. */
export function decodeAppend(qkv: tf.Tensor3D, pastK: tf.Tensor3D, pastV: tf.Tensor3D): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  return tf.engine().runKernel(DECODE_APPEND, { qkv, pastK, pastV }, {}) as unknown as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
}
