/**
 * A small, checked tfjs computation for the "Your device" page: a square matMul timed on the running
 * backend and compared with the same product computed in plain JavaScript.
 */
import { loadTf } from '.';

export interface MatMulCheck {
  size: number;
  backend: string;
  /** Median wall time of one matMul including the read back to JavaScript, in milliseconds. */
  medianMs: number;
  runs: number;
  /** Largest absolute difference from the JavaScript product. */
  maxError: number;
  ok: boolean;
}

/** Deterministic inputs in [-1, 1) so every device multiplies the same numbers. */
export function seededMatrix(size: number, seed: number): Float32Array {
  const out = new Float32Array(size * size);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The reference product a·b of two row-major size×size matrices. */
export function matMulJs(a: Float32Array, b: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < size; k++) {
      const aik = a[i * size + k];
      for (let j = 0; j < size; j++) out[i * size + j] += aik * b[k * size + j];
    }
  }
  return out;
}

/** Multiply two seeded size×size matrices on the running backend `runs` times (after one warm-up). */
export async function checkMatMul(size = 256, runs = 5): Promise<MatMulCheck> {
  const tf = await loadTf();
  const aData = seededMatrix(size, 1);
  const bData = seededMatrix(size, 2);
  const a = tf.tensor2d(aData, [size, size]);
  const b = tf.tensor2d(bData, [size, size]);
  try {
    // The first run compiles shaders / kernels; it is not timed.
    const warm = tf.matMul(a, b);
    const result = (await warm.data()) as Float32Array;
    warm.dispose();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      times.push(performance.now() - start);
      c.dispose();
    }
    const expected = matMulJs(aData, bData, size);
    let maxError = 0;
    for (let i = 0; i < expected.length; i++) maxError = Math.max(maxError, Math.abs(expected[i] - result[i]));
    times.sort((x, y) => x - y);
    return { size, backend: tf.getBackend(), medianMs: times[Math.floor(times.length / 2)], runs, maxError, ok: maxError < 1e-2 };
  } finally {
    a.dispose();
    b.dispose();
  }
}
