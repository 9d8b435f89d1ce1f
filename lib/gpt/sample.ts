import type { Rng } from './random';

/** How to pick the next token. Every field is optional; nothing set means greedy decoding. */
export interface SamplingOptions {
  /** Softmax temperature. 0 or absent: greedy (argmax). */
  temperature?: number;
  /** Keep only the k most likely tokens (applied before topP). */
  topK?: number;
  /** Nucleus: keep the smallest set of most likely tokens whose probability reaches p (0 < p ≤ 1). */
  topP?: number;
  /** Seed of the random generator the generators create (default 0). */
  seed?: number;
}

export interface Sample {
  id: number;
  /**
   * Probability of `id` under the distribution actually sampled from (temperature applied, top-k /
   * top-p filtered, renormalised). For greedy decoding that distribution is a point mass, which says
   * nothing, so `prob` is then the raw softmax probability, like `rawProb`.
   */
  prob: number;
  /** Probability of `id` under the model's plain softmax (temperature 1, nothing filtered). */
  rawProb: number;
}

/** Softmax of logits / temperature in float64, with the max subtracted so exp never overflows. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    p[i] = Math.exp((logits[i] - max) / temperature);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Index of the largest value; ties go to the lowest index. */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/**
 * The ids that survive top-k then top-p, most likely first (ties: lower id first). top-p keeps the
 * shortest prefix whose probability sum reaches p, so at least one token always survives.
 */
export function keptIds(probs: Float64Array, topK?: number, topP?: number): number[] {
  let order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  if (topK !== undefined && topK > 0) order = order.slice(0, topK);
  if (topP !== undefined && topP < 1) {
    let sum = 0;
    let n = 0;
    while (n < order.length && sum < topP) sum += probs[order[n++]];
    order = order.slice(0, Math.max(1, n));
  }
  return order;
}

/** Pick the next token from one position's logits, in plain JS (no tfjs), drawing from `rng`. */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): Sample {
  const raw = softmax(logits);
  const T = opts.temperature ?? 0;
  if (!(T > 0)) {
    const id = argmax(logits);
    return { id, prob: raw[id], rawProb: raw[id] };
  }
  const probs = softmax(logits, T);
  const kept = keptIds(probs, opts.topK, opts.topP);
  const total = kept.reduce((s, i) => s + probs[i], 0);
  const u = rng.next() * total;
  let acc = 0;
  let id = kept[kept.length - 1]; // guards against rounding leaving u just above the last sum
  for (const i of kept) {
    acc += probs[i];
    if (u < acc) {
      id = i;
      break;
    }
  }
  return { id, prob: probs[id] / total, rawProb: raw[id] };
}
