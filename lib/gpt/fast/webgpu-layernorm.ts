import * as tf from '@tensorflow/tfjs-core';

/**
 * LayerNorm's normalisation, (x − mean) / √(var + ε) over the last axis, as one WebGPU kernel
 * (the op-by-op form is 7 dispatches: mean, sub, square, mean, add, rsqrt, mul). The gain and bias
 * are folded into the next weights (prepare.ts), so this is all a decode step needs. Same program
 * pattern as webgpu-attention.ts: one workgroup per row, two tree reductions in workgroup memory.
 */
export const LAYER_NORM = 'KVLabNormalize';
const WG = 64;

interface WebGPUBackendLike {
  runWebGPUProgram(
    program: object,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

export class NormalizeProgram {
  variableNames = ['x'];
  outputShape: number[];
  shaderKey = 'kvlabNormalize';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];
  uniforms = 'eps : f32,';

  private last: number;

  constructor(shape: readonly number[]) {
    this.outputShape = [...shape]; // [..., C]: every row of the last axis is normalised
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    this.last = shape.length - 1;
    this.dispatch = [shape.slice(0, -1).reduce((a, b) => a * b, 1), 1, 1]; // one workgroup per row
  }

  getUserCode(): string {
    return `
    var<workgroup> red : array<f32, ${WG}>;
    const WG = ${WG};
    fn main(index : i32) {
      let row = index / WG;
      let tid = i32(localId.x);
      let C = uniforms.xShape${this.last > 0 ? `[${this.last}]` : ''};
      let base = row * C;
      var s = 0.0;
      for (var j = tid; j < C; j += WG) { s += x[base + j]; }
      red[tid] = s;
      workgroupBarrier();
      for (var n = WG / 2; n > 0; n = n / 2) {
        if (tid < n) { red[tid] = red[tid] + red[tid + n]; }
        workgroupBarrier();
      }
      let mean = red[0] / f32(C);
      workgroupBarrier();
      var v = 0.0;
      for (var j = tid; j < C; j += WG) { let d = x[base + j] - mean; v += d * d; }
      red[tid] = v;
      workgroupBarrier();
      for (var n = WG / 2; n > 0; n = n / 2) {
        if (tid < n) { red[tid] = red[tid] + red[tid + n]; }
        workgroupBarrier();
      }
      let inv = inverseSqrt(red[0] / f32(C) + uniforms.eps);
      for (var j = tid; j < C; j += WG) { setOutputAtIndex(base + j, (x[base + j] - mean) * inv); }
    }`;
  }
}

let registered = false;

/** Registers the kernel for the 'webgpu' backend once. Attribute: eps. */
export function registerWebGPUNormalize(): void {
  if (registered || tf.getKernel(LAYER_NORM, 'webgpu')) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: LAYER_NORM,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const program = new NormalizeProgram(x.shape);
      const eps = (attrs as { eps: number }).eps;
      return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, [x], 'float32', [{ type: 'float32', data: [eps] }]);
    },
  });
  registered = true;
}
