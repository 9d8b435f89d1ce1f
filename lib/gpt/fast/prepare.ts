import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, headSize, kvDim } from '../config';
import type { GPT } from '../forward';
import { tidyObject } from '../ops';

/**
 * Weights rearranged once, at load, for the fast forward pass (lib/gpt/fast/forward-fast.ts).
 *
 * Every change here is exact algebra on the readable model's weights, so the logits stay the same up
 * to float rounding (tests hold them within 1e-4):
 * - LayerNorm's gain g and bias b fold into the linear layer that reads it:
 *   (x̂·g + b)·W + c = x̂·(g ⊙ W) + (b·W + c), so a decode step never multiplies by g or adds b;
 * - 1/√hs folds into the q columns of c_attn (and their bias), so scores need no scaling;
 * - the tied head is transposed once ([C, V]) instead of every step — the measured cost was a
 *   transpose plus, on wasm, XNNPACK re-packing a brand-new tensor each call (issue 9).
 * Matrices are stored [1, in, out], the rank tfjs's fused matMul kernel takes, so a step never
 * reshapes a weight.
 */
export interface FastLayer {
  qkvW: tf.Tensor3D; // [1, C, C + 2·nkv·hs] ln_1 folded in, q columns × 1/√hs
  qkvB: tf.Tensor1D; // [C + 2·nkv·hs]
  /**
   * The same weights as three layers, q, k and v ([1, C, C] and [1, C, nkv·hs] ×2, with biases), for
   * passes of several tokens: splitting their output instead would cost more than the two extra
   * kernels, as tfjs-wasm's Split copies its whole input through JavaScript (~1 ms a layer at T = 16
   * on the 10m model). A decode step keeps the one fused qkv product.
   */
  qkvParts: { w: tf.Tensor3D; b: tf.Tensor1D }[];
  projW: tf.Tensor3D; // [1, C, C] the readable weights, reshaped (same data)
  projB: tf.Tensor1D; // [C]
  fcW: tf.Tensor3D; // [1, C, 4C] ln_2 folded in
  fcB: tf.Tensor1D; // [4C]
  mlpProjW: tf.Tensor3D; // [1, 4C, C] the readable weights, reshaped (same data)
  mlpProjB: tf.Tensor1D; // [C]
}

export interface FastModel {
  config: GPTConfig;
  /** The readable model it was prepared from: forward() serves what the fast path does not (other cache kinds). */
  model: GPT;
  wte: tf.Tensor2D; // [V, C] shared
  wpe: tf.Tensor2D; // [blockSize, C] shared
  layers: FastLayer[];
  headW: tf.Tensor3D; // [1, C, V] wteᵀ with ln_f's gain folded in
  headB: tf.Tensor1D; // [V] ln_f's bias through the head
  /** The tensors this object created (the shared ones belong to the GPT it was prepared from). */
  owned: tf.Tensor[];
}

/** g ⊙ W (g scales W's rows) and b·W + c: a LayerNorm's affine part moved into the next linear layer. */
function foldLayerNorm(g: tf.Tensor, b: tf.Tensor, W: tf.Tensor, c: tf.Tensor | null): [tf.Tensor2D, tf.Tensor1D] {
  const w = tf.mul(tf.reshape(g, [-1, 1]), W) as tf.Tensor2D; // [in, out]
  // A sum, not a [1, in]·W product: wasm's fused matMul wants its bias stored as rank 1.
  const bw = tf.sum(tf.mul(tf.reshape(b, [-1, 1]), W), 0); // [out]
  return [w, (c ? tf.add(bw, c) : bw) as tf.Tensor1D];
}

const as3d = (t: tf.Tensor) => tf.expandDims(t, 0) as tf.Tensor3D; // [in, out] → [1, in, out]

/** Builds the fast path's weights from a loaded model. Dispose with disposeFastModel (not the GPT's weights). */
export function prepareFastModel(model: GPT): FastModel {
  const { config: c, weights: w } = model;
  const C = c.nEmbd;
  const scale = 1 / Math.sqrt(headSize(c));
  return tidyObject(() => {
    const owned: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      owned.push(tf.keep(t));
      return t;
    };
    // q columns × 1/√hs, k and v columns × 1: one row vector scales c_attn's output axis.
    const qkvScale = tf.concat([tf.fill([C], scale), tf.ones([2 * kvDim(c)])]); // [C + 2·nkv·hs]
    const layers: FastLayer[] = [];
    for (let i = 0; i < c.nLayer; i++) {
      const h = `h.${i}`;
      const [aw, ab] = foldLayerNorm(w[`${h}.ln_1.weight`], w[`${h}.ln_1.bias`], w[`${h}.attn.c_attn.weight`], w[`${h}.attn.c_attn.bias`]);
      const [fw, fb] = foldLayerNorm(w[`${h}.ln_2.weight`], w[`${h}.ln_2.bias`], w[`${h}.mlp.c_fc.weight`], w[`${h}.mlp.c_fc.bias`]);
      const qkvW = tf.mul(aw, qkvScale) as tf.Tensor2D; // [C, C + 2·nkv·hs]
      const qkvB = tf.mul(ab, qkvScale) as tf.Tensor1D;
      const widths = [C, kvDim(c), kvDim(c)];
      const ws = tf.split(qkvW, widths, 1);
      const bs = tf.split(qkvB, widths, 0);
      layers.push({
        qkvW: keep(as3d(qkvW)),
        qkvB: keep(qkvB),
        qkvParts: ws.map((pw, k) => ({ w: keep(as3d(pw)), b: keep(bs[k] as tf.Tensor1D) })),
        projW: keep(as3d(w[`${h}.attn.c_proj.weight`])),
        projB: w[`${h}.attn.c_proj.bias`] as tf.Tensor1D,
        fcW: keep(as3d(fw)),
        fcB: keep(fb),
        mlpProjW: keep(as3d(w[`${h}.mlp.c_proj.weight`])),
        mlpProjB: w[`${h}.mlp.c_proj.bias`] as tf.Tensor1D,
      });
    }
    const [headW, headB] = foldLayerNorm(w['ln_f.weight'], w['ln_f.bias'], tf.transpose(w['wte.weight']), null); // [C, V], [V]
    return {
      config: c,
      model,
      wte: w['wte.weight'] as tf.Tensor2D,
      wpe: w['wpe.weight'] as tf.Tensor2D,
      layers,
      headW: keep(as3d(headW)),
      headB: keep(headB),
      owned,
    };
  });
}

/** Frees what prepareFastModel created; the model's own weights stay. Safe to call twice. */
export function disposeFastModel(fm: FastModel): void {
  tf.dispose(fm.owned);
  fm.owned.length = 0;
}
