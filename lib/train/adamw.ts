import * as tf from '@tensorflow/tfjs-core';

/** Hyper-parameters of AdamW with linear warm-up and cosine decay (nanoGPT's recipe). */
export interface AdamWConfig {
  lr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (0 = no clipping). */
  gradClip: number;
}

/** Adam's moment estimates, by parameter name; saved in checkpoints so training resumes exactly. */
export interface AdamWState {
  step: number;
  m: Record<string, tf.Tensor>;
  v: Record<string, tf.Tensor>;
}

/** Learning rate at a (0-based) step: linear warm-up, then cosine from lr down to minLr. */
export function lrAt(step: number, c: AdamWConfig): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const progress = Math.min(1, (step - c.warmupSteps) / Math.max(1, c.totalSteps - c.warmupSteps));
  return c.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (c.lr - c.minLr);
}

export function initAdamW(params: Record<string, tf.Variable>): AdamWState {
  const m: Record<string, tf.Tensor> = {};
  const v: Record<string, tf.Tensor> = {};
  for (const [name, p] of Object.entries(params)) {
    m[name] = tf.zerosLike(p);
    v[name] = tf.zerosLike(p);
  }
  return { step: 0, m, v };
}

/** Only matrices and embeddings decay; biases and LayerNorm gains do not (as in GPT-2 training). */
export function decays(name: string): boolean {
  return name.endsWith('.weight') && !name.includes('ln_');
}

/**
 * One AdamW update in place. Returns the gradient's global norm before clipping.
 * Disposes the gradients it is given.
 */
export function adamwStep(
  params: Record<string, tf.Variable>,
  grads: Record<string, tf.Tensor>,
  state: AdamWState,
  c: AdamWConfig,
): number {
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const gradNorm = norm.arraySync() as number; // Node-only training loop on cpu/wasm: a sync read is fine here
  norm.dispose();
  const scale = c.gradClip > 0 && gradNorm > c.gradClip ? c.gradClip / gradNorm : 1;
  const lr = lrAt(state.step, c);
  const t = state.step + 1;
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  for (const [name, p] of Object.entries(params)) {
    const [m, v] = tf.tidy(() => {
      const g = tf.mul(grads[name], scale);
      return [
        tf.add(tf.mul(state.m[name], c.beta1), tf.mul(g, 1 - c.beta1)),
        tf.add(tf.mul(state.v[name], c.beta2), tf.mul(tf.square(g), 1 - c.beta2)),
      ];
    });
    tf.tidy(() => {
      const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps));
      const decayed = decays(name) ? tf.mul(p, 1 - lr * c.weightDecay) : p;
      p.assign(tf.sub(decayed, tf.mul(update, lr)));
    });
    state.m[name].dispose();
    state.v[name].dispose();
    state.m[name] = m;
    state.v[name] = v;
    grads[name].dispose();
  }
  state.step = t;
  return gradNorm;
}
