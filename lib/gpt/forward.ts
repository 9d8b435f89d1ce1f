import * as tf from '@tensorflow/tfjs-core';
import type { AttentionTrace } from './attention';
import { block } from './block';
import type { GPTConfig } from './config';
import type { KVCache, LayerKV } from './kvcache';
import { layerNorm, matmul, tidyObject } from './ops';
import type { Weights } from './params';

/** A model: a config and GPT-2-named weights. */
export interface GPT {
  config: GPTConfig;
  weights: Weights;
}

export interface ForwardOptions {
  /** Logits for every position ('all', the default) or only the last ('last': all generation needs). */
  logits?: 'all' | 'last';
  /** Training: embed with a one-hot product, which has a gradient on every backend. */
  training?: boolean;
  /** Also return each layer's attention internals (batch of one only). */
  trace?: boolean;
}

export interface ForwardResult {
  /** [B, T, vocabSize], or [B, 1, vocabSize] with logits: 'last'. Owned by the caller. */
  logits: tf.Tensor3D;
  /** The updated cache when one was passed in (a new object; the one passed in is untouched). */
  cache: KVCache | null;
  /** Per layer, when options.trace is set. Owned by the caller. */
  trace?: AttentionTrace[];
}

export class ContextOverflowError extends Error {
  override name = 'ContextOverflowError';
}

/**
 * The GPT forward pass, for both phases.
 *
 * - No cache (`null`): the T positions given, attending causally among themselves — training, and
 *   the naive generator, which sends the whole sequence every step.
 * - With a cache (batch of one): the new positions continue after the cached ones. Prefill sends the
 *   prompt into an empty cache; decode sends one token. Either way the cache comes back one pass longer.
 *
 * Synchronous and tidy: only the returned tensors survive.
 */
export function forward(model: GPT, idx: tf.Tensor2D, cache: KVCache | null, opts: ForwardOptions = {}): ForwardResult {
  const { config: c, weights: w } = model;
  const [B, T] = idx.shape;
  const pos0 = cache ? cache.length : 0;
  if (T < 1) throw new RangeError('forward needs at least one token');
  if (pos0 + T > c.blockSize) {
    throw new ContextOverflowError(`${pos0} cached + ${T} new positions exceed the context of ${c.blockSize}`);
  }
  if (cache && B !== 1) throw new RangeError('a KV cache holds one sequence: batch size must be 1');

  // tidy keeps every tensor inside the returned object (logits, cache rows, trace) and frees the rest.
  return tidyObject(() => {
    const C = c.nEmbd;
    const flat = tf.reshape(idx, [B * T]) as tf.Tensor1D; // [B·T]
    const tok = opts.training
      ? matmul(tf.oneHot(flat, c.vocabSize) as tf.Tensor2D, w['wte.weight'] as tf.Tensor2D) // [B·T, C]
      : tf.gather(w['wte.weight'], flat); // [B·T, C]
    const pos = tf.slice(w['wpe.weight'], [pos0, 0], [T, C]); // [T, C] positions pos0..pos0+T-1
    let x = tf.add(tf.reshape(tok, [B, T, C]), pos) as tf.Tensor3D; // [B, T, C]

    const layers: LayerKV[] = [];
    const trace: AttentionTrace[] = [];
    for (let i = 0; i < c.nLayer; i++) {
      const out = block(x, w, i, c, cache?.layers[i] ?? null, cache !== null, opts.trace ?? false);
      x = out.x;
      if (out.kv) layers.push(out.kv);
      if (out.trace) trace.push(out.trace);
    }
    x = layerNorm(x, w['ln_f.weight'], w['ln_f.bias']);

    const Tout = opts.logits === 'last' ? 1 : T;
    const xl = Tout === T ? x : tf.slice(x, [0, T - 1, 0], [B, 1, C]); // [B, Tout, C]
    const head = tf.transpose(w['wte.weight']) as tf.Tensor2D; // [C, V] the output head is wte, tied
    const logits = tf.reshape(matmul(tf.reshape(xl, [B * Tout, C]), head), [B, Tout, c.vocabSize]) as tf.Tensor3D;

    const result: ForwardResult = {
      logits,
      cache: cache ? { layers, length: pos0 + T, capacity: c.blockSize } : null,
      ...(opts.trace ? { trace } : {}),
    };
    return result;
  });
}
