import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from './config';
import { createRng } from './random';

/**
 * GPT-2's parameters by GPT-2's own names. Linear weights are [in, out], as in GPT-2's Conv1D, and
 * c_attn's output axis holds q, then k, then v — so these load unchanged into any GPT-2 code.
 */
export type Weights = Record<string, tf.Tensor>;

export { paramSpecs, countParams, type ParamSpec } from './param-specs';
import { paramSpecs } from './param-specs';

/**
 * GPT-2's initialisation, as plain arrays: normal(0, 0.02) for matrices and embeddings, the residual
 * projections (c_proj) scaled by 1/sqrt(2·nLayer), biases 0, LayerNorm gains 1. Seeded.
 */
export function initParamArrays(c: GPTConfig, seed: number): Map<string, Float32Array> {
  const rng = createRng(seed);
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of paramSpecs(c)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.includes('ln_') && name.endsWith('.weight')) data.fill(1);
    else if (name.endsWith('.weight')) {
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * c.nLayer) : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
    }
    out.set(name, data);
  }
  return out;
}

/** A freshly initialised model's weights as tensors (the caller owns them). */
export function initWeights(c: GPTConfig, seed: number): Weights {
  const weights: Weights = {};
  const shapes = new Map(paramSpecs(c).map((s) => [s.name, s.shape]));
  for (const [name, data] of initParamArrays(c, seed)) weights[name] = tf.tensor(data, shapes.get(name));
  return weights;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}

/** Throws a WeightsError naming the first missing, unexpected or wrongly shaped tensor. */
export function checkWeights(c: GPTConfig, shapes: Record<string, readonly number[]>): void {
  const specs = paramSpecs(c);
  for (const { name, shape } of specs) {
    const got = shapes[name];
    if (!got) throw new WeightsError(`missing tensor "${name}" (expected shape [${shape}])`);
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw new WeightsError(`tensor "${name}" has shape [${got}], expected [${shape}]`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = Object.keys(shapes).find((n) => !known.has(n));
  if (extra) throw new WeightsError(`unexpected tensor "${extra}" for this config`);
}

/** Disposes every tensor of a weights object. */
export function disposeWeights(w: Weights): void {
  for (const t of Object.values(w)) t.dispose();
}
