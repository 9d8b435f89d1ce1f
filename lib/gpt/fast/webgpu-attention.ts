import * as tf from '@tensorflow/tfjs-core';

/**
 * A fused decode-attention kernel for tfjs's WebGPU backend, registered through tfjs's kernel registry.
 *
 * It follows tfjs-backend-webgpu's own program classes (softmax_webgpu.ts is the closest): a plain
 * object with variableNames, outputShape, dispatch and getUserCode, handed to the backend's
 * runWebGPUProgram, which adds the buffer bindings and shape uniforms (uniforms.keysShape, …).
 * We only use that structural contract, so lib/gpt still imports no backend.
 *
 * One workgroup per query head: its 64 threads score every cached key into workgroup memory, reduce
 * max and sum, then each thread writes some of the head's output dimensions. One dispatch replaces
 * matMul → softmax (→ its max, sub, exp, sum, div) → matMul.
 */
export const DECODE_ATTENTION = 'KVLabDecodeAttention';
/** Scores for this many keys fit in workgroup memory (4 KiB); longer caches take the op-by-op route. */
export const MAX_FUSED_KEYS = 1024;
const WG = 64;

/** The part of tfjs-backend-webgpu's WebGPUBackend this kernel calls. */
interface WebGPUBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: tf.DataType): tf.TensorInfo;
}

export class DecodeAttentionProgram {
  variableNames = ['query', 'keys', 'values'];
  outputShape: number[];
  shaderKey = `kvlabDecodeAttention_${MAX_FUSED_KEYS}`;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];

  constructor(queryShape: readonly number[]) {
    this.outputShape = [...queryShape]; // [nkv, g, hs]
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    this.dispatch = [queryShape[0] * queryShape[1], 1, 1]; // one workgroup per query head
  }

  getUserCode(): string {
    return `
    var<workgroup> probs : array<f32, ${MAX_FUSED_KEYS}>;
    var<workgroup> red : array<f32, ${WG}>;
    const WG = ${WG};
    fn main(index : i32) {
      let head = index / WG;                 // query head h = kvHead·g + j
      let tid = i32(localId.x);
      let g = uniforms.queryShape[1];
      let hs = uniforms.queryShape[2];
      let Tk = uniforms.keysShape[1];
      let qBase = head * hs;
      let kvBase = (head / g) * Tk * hs;     // this head's key/value head

      var m = -3.402823e+38f;
      for (var j = tid; j < Tk; j += WG) {
        var s = 0.0;
        for (var d = 0; d < hs; d++) { s += query[qBase + d] * keys[kvBase + j * hs + d]; }
        probs[j] = s;
        m = max(m, s);
      }
      red[tid] = m;
      workgroupBarrier();
      for (var n = WG / 2; n > 0; n = n / 2) {
        if (tid < n) { red[tid] = max(red[tid], red[tid + n]); }
        workgroupBarrier();
      }
      let rowMax = red[0];
      workgroupBarrier();

      var sum = 0.0;
      for (var j = tid; j < Tk; j += WG) {
        let e = exp(probs[j] - rowMax);
        probs[j] = e;
        sum += e;
      }
      red[tid] = sum;
      workgroupBarrier();
      for (var n = WG / 2; n > 0; n = n / 2) {
        if (tid < n) { red[tid] = red[tid] + red[tid + n]; }
        workgroupBarrier();
      }
      let total = red[0];

      for (var d = tid; d < hs; d += WG) {
        var acc = 0.0;
        for (var j = 0; j < Tk; j++) { acc += probs[j] * values[kvBase + j * hs + d]; }
        setOutputAtIndex(qBase + d, acc / total);
      }
    }`;
  }
}

let registered = false;

/** Registers the kernel for the 'webgpu' backend once (tfjs warns on a second registration). */
export function registerWebGPUDecodeAttention(): void {
  if (registered || tf.getKernel(DECODE_ATTENTION, 'webgpu')) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: DECODE_ATTENTION,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { query, keys, values } = inputs as { query: tf.TensorInfo; keys: tf.TensorInfo; values: tf.TensorInfo };
      const program = new DecodeAttentionProgram(query.shape);
      return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, [query, keys, values], 'float32');
    },
  });
  registered = true;
}
