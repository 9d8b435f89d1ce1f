import * as tf from '@tensorflow/tfjs-core';
import type { AttentionTrace } from './attention';
import { block } from './block';
import type { GPTConfig } from './config';
import { cacheStep, type CacheStep, type KVCache } from './kvcache';
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
  /** Also return each layer's attention weights [nh, T, Tk] (batch of one): what the H2O policy accumulates. */
  weights?: boolean;
}

export interface ForwardResult<C = KVCache> {
  /** [B, T, vocabSize], or [B, 1, vocabSize] with logits: 'last'. Owned by the caller. */
  logits: tf.Tensor3D;
  /** The updated cache when one was passed in (a new value; the one passed in is untouched). */
  cache: C | null;
  /** Per layer, when options.trace is set. Owned by the caller. */
  trace?: AttentionTrace[];
  /** Per layer [nh, T, Tk], when options.weights is set. Owned by the caller. */
  weights?: tf.Tensor3D[];
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
 *   prompt into an empty cache; decode sends one token. Either way a new cache value comes back,
 *   holding what the cache's kind stores (see kvcache.ts).
 *
 * Synchronous and tidy: only the returned tensors survive.
 */
export function forward(model: GPT, idx: tf.Tensor2D, cache: KVCache | null, opts: ForwardOptions = {}): ForwardResult {
  const [B, T] = idx.shape;
  if (T < 1) throw new RangeError('forward needs at least one token');
  if (cache && cache.next + T > model.config.blockSize) {
    throw new ContextOverflowError(`${cache.next} cached + ${T} new positions exceed the context of ${model.config.blockSize}`);
  }
  return forwardStep(model, idx, cache ? cacheStep(cache, B, T) : null, opts);
}

/**
 * The forward pass over any cache that provides a {@link CacheStep} (the contiguous kinds through
 * `forward`, the paged cache through `forwardPaged`). Positions come from the step, so each
 * sequence of a batch may sit at its own position.
 */
export function forwardStep<C>(model: GPT, idx: tf.Tensor2D, step: CacheStep<C> | null, opts: ForwardOptions = {}): ForwardResult<C> {
  const { config: c, weights: w } = model;
  const [B, T] = idx.shape;
  if (T < 1) throw new RangeError('forward needs at least one token');
  const last = step ? Math.max(...step.queryPositions.map((p) => p[p.length - 1])) : T - 1;
  if (last >= c.blockSize) throw new ContextOverflowError(`position ${last} is past the context of ${c.blockSize}`);

  // tidy keeps every tensor inside the returned object (logits, cache stores, trace) and frees the rest.
  return tidyObject(() => {
    const C = c.nEmbd;
    const flat = tf.reshape(idx, [B * T]) as tf.Tensor1D; // [B·T]
    const tok = opts.training
      ? matmul(tf.oneHot(flat, c.vocabSize) as tf.Tensor2D, w['wte.weight'] as tf.Tensor2D) // [B·T, C]
      : tf.gather(w['wte.weight'], flat); // [B·T, C]
    const pos = step
      ? // [B, T, C]: each sequence at its own positions
        tf.reshape(tf.gather(w['wpe.weight'], tf.tensor1d(step.queryPositions.flat(), 'int32')), [B, T, C])
      : tf.slice(w['wpe.weight'], [0, 0], [T, C]); // [T, C] positions 0..T-1
    let x = tf.add(tf.reshape(tok, [B, T, C]), pos) as tf.Tensor3D; // [B, T, C]

    const trace: AttentionTrace[] = [];
    const weights: tf.Tensor3D[] = [];
    for (let i = 0; i < c.nLayer; i++) {
      const io = step ? { queryPositions: step.queryPositions, store: step.layer(i) } : null;
      const out = block(x, w, i, c, io, opts);
      x = out.x;
      if (out.trace) trace.push(out.trace);
      if (out.weights) weights.push(out.weights);
    }
    x = layerNorm(x, w['ln_f.weight'], w['ln_f.bias']);

    const Tout = opts.logits === 'last' ? 1 : T;
    const xl = Tout === T ? x : tf.slice(x, [0, T - 1, 0], [B, 1, C]); // [B, Tout, C]
    const head = tf.transpose(w['wte.weight']) as tf.Tensor2D; // [C, V] the output head is wte, tied
    const logits = tf.reshape(matmul(tf.reshape(xl, [B * Tout, C]), head), [B, Tout, c.vocabSize]) as tf.Tensor3D;

    const result: ForwardResult<C> = {
      logits,
      cache: step ? step.finish() : null,
      ...(opts.trace ? { trace } : {}),
      ...(opts.weights ? { weights } : {}),
    };
    return result;
  });
}
