import * as tf from '@tensorflow/tfjs-core';

/** What one call launched: tfjs kernels, customGrad wrapper scopes, and GPU programs (WebGPU/WebGL only). */
export interface KernelCount {
  /** Named tfjs kernels run through the engine (reshapes included: each costs a dispatch on wasm and cpu). */
  kernels: number;
  /** customGrad scopes (wrappers the engine runs around a forward function; no kernel of their own). */
  scopes: number;
  /** Shader programs the backend dispatched: WebGPU's runWebGPUProgram or WebGL's runWebGLProgram; null elsewhere. */
  gpuPrograms: number | null;
  /** Kernel names and how often each ran, most frequent first. */
  byName: [string, number][];
}

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Counts what `fn` launches by wrapping the engine's runKernelFunc (every kernel and customGrad call
 * passes through it) and, on a GPU backend, the backend's program runner. Both are restored after,
 * even when fn throws. tf.profile would also count, but asks the backend to time each kernel, which
 * WebGPU without timestamp queries cannot do.
 */
export async function countKernels(fn: () => Promise<void>): Promise<KernelCount> {
  const engine = tf.engine() as unknown as { runKernelFunc: AnyFn };
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const runner = ['runWebGPUProgram', 'runWebGLProgram'].find((k) => typeof backend[k] === 'function') ?? null;
  const byName = new Map<string, number>();
  let scopes = 0;
  let programs = 0;
  const origKernel = engine.runKernelFunc;
  engine.runKernelFunc = function (this: unknown, ...args: unknown[]) {
    const name = (args[0] as { kernelName?: string }).kernelName;
    if (name) byName.set(name, (byName.get(name) ?? 0) + 1);
    else scopes++;
    return origKernel.apply(this, args);
  };
  const origRun = runner ? (backend[runner] as AnyFn) : null;
  if (runner && origRun) {
    backend[runner] = function (this: unknown, ...args: unknown[]) {
      programs++;
      return origRun.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    engine.runKernelFunc = origKernel;
    if (runner && origRun) backend[runner] = origRun;
  }
  const sorted = [...byName.entries()].sort((a, b) => b[1] - a[1]);
  return { kernels: sorted.reduce((n, [, k]) => n + k, 0), scopes, gpuPrograms: runner ? programs : null, byName: sorted };
}
