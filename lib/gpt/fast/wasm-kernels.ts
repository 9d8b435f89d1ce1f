import * as tf from '@tensorflow/tfjs-core';
import { geluInPlace } from './wasm-attention';
import { LAYER_NORM } from './webgpu-layernorm';

/**
 * Three small kernels for the wasm backend, registered under the same names the fast path calls:
 * LayerNorm's normalisation (7 tfjs-wasm kernels op by op), GPT-2's GELU (6) and the input embedding,
 * token plus position (a Range, two GatherV2 and an Add: ~43 µs together, measured, where an
 * `austen` decode step took ~0.7 ms; this kernel takes ~5 µs; tfjs-wasm's GatherV2 checks each
 * index in JavaScript and copies rows there anyway). A decode step's rows are 128–768 floats, so
 * each op-by-op kernel's fixed dispatch cost (~5–10 µs) outweighs its arithmetic; one pass over the
 * row in JavaScript, reading and writing the wasm heap in place, does the same work in about the
 * time of one dispatch (GELU's exp runs in attention.wat's SIMD where that module runs). tfjs-wasm's
 * own Concat is written the same way.
 * Sums are taken in float64 and rounded to float32 once, so results sit within float32 rounding of
 * the op-by-op form (the fast-path tests hold the logits to 1e-4).
 */
export const GELU = 'KVLabGelu';
export const EMBED = 'KVLabEmbed';

/** What the kernels use of tfjs-wasm's BackendWasm (wasm-attention.ts's kernels too). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** GELU's sigmoid form, x·σ(k1·x + k3·x³): k1 = 2·√(2/π), k3 = k1·0.044715 (forward-fast.ts uses them too). */
export const GELU_K1 = 2 * Math.sqrt(2 / Math.PI);
export const GELU_K3 = GELU_K1 * 0.044715;

/** (x − mean) / √(var + ε) over the last axis, row by row. */
function normalizeKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) {
  const { x } = inputs as { x: tf.TensorInfo };
  const eps = (attrs as unknown as { eps: number }).eps;
  const wasm = backend as WasmHeapBackend;
  const out = wasm.makeOutput([...x.shape], 'float32');
  // Views after makeOutput: allocating may grow the heap, which detaches earlier views.
  const xs = wasm.typedArrayFromHeap(x);
  const ys = wasm.typedArrayFromHeap(out);
  const C = x.shape[x.shape.length - 1];
  for (let base = 0; base < xs.length; base += C) {
    let sum = 0;
    for (let j = 0; j < C; j++) sum += xs[base + j];
    const mean = sum / C;
    let sq = 0;
    for (let j = 0; j < C; j++) {
      const d = xs[base + j] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / C + eps);
    for (let j = 0; j < C; j++) ys[base + j] = (xs[base + j] - mean) * inv;
  }
  return out;
}

/**
 * x·σ(k1·x + k3·x³), GPT-2's tanh GELU in its equal sigmoid form, element by element: in the attention
 * module's SIMD WebAssembly where it runs (wasm-attention.ts), else in JavaScript.
 */
function geluKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }) {
  const { x } = inputs as { x: tf.TensorInfo };
  const wasm = backend as WasmHeapBackend;
  const out = wasm.makeOutput([...x.shape], 'float32');
  const xs = wasm.typedArrayFromHeap(x);
  const ys = wasm.typedArrayFromHeap(out);
  ys.set(xs);
  if (geluInPlace(backend, out)) return out;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    ys[i] = v / (1 + Math.exp(-v * (GELU_K1 + GELU_K3 * v * v)));
  }
  return out;
}

/**
 * wte [V, C], wpe [P, C], ids [B, T] int32, attr pos0 → [B, T, C]: row t of each sequence is
 * wte[ids[t]] + wpe[pos0 + t]. An id outside the vocabulary, or a position past wpe, is refused before
 * anything is allocated. Each sum is of two float32s, taken in float64 and rounded once: exactly
 * float32 addition, as tf.add's.
 */
function embedKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) {
  const { wte, wpe, ids } = inputs as Record<'wte' | 'wpe' | 'ids', tf.TensorInfo>;
  const pos0 = (attrs as unknown as { pos0: number }).pos0;
  const wasm = backend as WasmHeapBackend;
  const [V, C] = wte.shape;
  const [B, T] = ids.shape;
  if (pos0 < 0 || pos0 + T > wpe.shape[0])
    throw new RangeError(`positions ${pos0}…${pos0 + T - 1} are past the ${wpe.shape[0]} the model embeds`);
  const check = wasm.typedArrayFromHeap(ids) as unknown as Int32Array;
  for (const id of check) if (!(id >= 0 && id < V)) throw new RangeError(`token id ${id} is not in the vocabulary [0, ${V - 1}]`);
  const out = wasm.makeOutput([B, T, C], 'float32');
  const idv = wasm.typedArrayFromHeap(ids) as unknown as Int32Array;
  const te = wasm.typedArrayFromHeap(wte);
  const pe = wasm.typedArrayFromHeap(wpe);
  const ys = wasm.typedArrayFromHeap(out);
  for (let r = 0; r < B * T; r++) {
    const a = idv[r] * C;
    const p = (pos0 + (r % T)) * C;
    const o = r * C;
    for (let j = 0; j < C; j++) ys[o + j] = te[a + j] + pe[p + j];
  }
  return out;
}

let registered = false;

/** Registers the three kernels for the 'wasm' backend once. */
export function registerWasmKernels(): void {
  if (registered) return;
  if (!tf.getKernel(LAYER_NORM, 'wasm')) tf.registerKernel({ kernelName: LAYER_NORM, backendName: 'wasm', kernelFunc: normalizeKernel });
  if (!tf.getKernel(GELU, 'wasm')) tf.registerKernel({ kernelName: GELU, backendName: 'wasm', kernelFunc: geluKernel });
  if (!tf.getKernel(EMBED, 'wasm')) tf.registerKernel({ kernelName: EMBED, backendName: 'wasm', kernelFunc: embedKernel });
  registered = true;
}
