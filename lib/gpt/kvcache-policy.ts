import * as tf from '@tensorflow/tfjs-core';
import type { CacheLayer, Eviction, KVCache } from './kvcache';

/**
 * Eviction policies: what to drop when the cache may hold only so many rows. A policy is applied to
 * the cache value after each forward pass, by the caller; it keeps true positions (the model learned
 * absolute positions, so a kept row stays where it was) and records what it evicted, and when.
 *
 * - window W: the last W positions (a sliding window; rasbt's optimized KV cache, Mistral's SWA).
 * - sinks S + window W: the first S positions and the last W (StreamingLLM, Xiao et al. 2023): the
 *   first tokens soak up attention a softmax must put somewhere, and dropping them hurts.
 * - h2o budget B: the `recent` newest positions plus the B − recent with the most attention received
 *   so far, per layer (H2O "heavy hitters", Zhang et al. 2023). Needs each step's attention weights.
 *   H2O ranks per head; we sum a layer's heads so every head of a layer keeps the same rows (one
 *   position list per layer, which the cache value and the heatmaps can show).
 */
export type CachePolicy =
  { type: 'window'; window: number } | { type: 'sinks'; sinks: number; window: number } | { type: 'h2o'; budget: number; recent: number };

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/** The most rows a cache holds under the policy. */
export function policyBudget(p: CachePolicy): number {
  return p.type === 'window' ? p.window : p.type === 'sinks' ? p.sinks + p.window : p.budget;
}

/** The CLI's spelling: window:64, sinks:4+window:60, h2o:64 (half of it recent), h2o:64/16 (16 recent). */
export function policyName(p: CachePolicy): string {
  if (p.type === 'window') return `window:${p.window}`;
  if (p.type === 'sinks') return `sinks:${p.sinks}+window:${p.window}`;
  return p.recent === Math.floor(p.budget / 2) ? `h2o:${p.budget}` : `h2o:${p.budget}/${p.recent}`;
}

/** Parses {@link policyName}'s spelling; null when `s` names no policy. Throws PolicyError on nonsense numbers. */
export function parsePolicy(s: string): CachePolicy | null {
  const int = (x: string, what: string, min: number) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < min) throw new PolicyError(`${what} must be an integer ≥ ${min}, got "${x}"`);
    return n;
  };
  let m = /^window:(\S+)$/.exec(s);
  if (m) return { type: 'window', window: int(m[1], 'window', 1) };
  m = /^sinks:(\S+)\+window:(\S+)$/.exec(s);
  if (m) return { type: 'sinks', sinks: int(m[1], 'sinks', 0), window: int(m[2], 'window', 1) };
  m = /^h2o:([^/\s]+)(?:\/(\S+))?$/.exec(s);
  if (m) {
    const budget = int(m[1], 'h2o budget', 2);
    const recent = m[2] === undefined ? Math.floor(budget / 2) : int(m[2], 'h2o recent', 1);
    if (recent >= budget) throw new PolicyError(`h2o: recent (${recent}) must be smaller than the budget (${budget})`);
    return { type: 'h2o', budget, recent };
  }
  return null;
}

/** Row indices to keep, ascending, for one layer holding `n` rows (`mass`, one per row, only for h2o). */
export function rowsToKeep(p: CachePolicy, n: number, mass: readonly number[]): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= policyBudget(p)) return all;
  if (p.type === 'window') return all.slice(n - p.window);
  if (p.type === 'sinks') return [...all.slice(0, p.sinks), ...all.slice(n - p.window)];
  const recent = all.slice(n - p.recent);
  const heavy = all
    .slice(0, n - p.recent)
    .sort((a, b) => mass[b] - mass[a] || a - b) // most attended first; ties keep the older row
    .slice(0, p.budget - p.recent);
  return [...heavy.sort((a, b) => a - b), ...recent];
}

/**
 * Sums one step's attention weights per layer, [nh, T, Tk] → [Tk]: the attention each cached row
 * received from every head and every new query. Reads (awaited, WebGPU-safe) and disposes `weights`.
 */
export async function attentionMass(weights: tf.Tensor3D[]): Promise<number[][]> {
  try {
    const sums = tf.tidy(() => weights.map((w) => tf.sum(w, [0, 1]))); // [Tk] per layer
    const out = await Promise.all(sums.map(async (s) => Array.from(await s.data())));
    tf.dispose(sums);
    return out;
  } finally {
    tf.dispose(weights);
  }
}

/**
 * Applies the policy to a cache after a forward pass and returns the cache to use next. It consumes
 * the cache passed in: stores it replaces are disposed, stores it keeps move to the result, so the
 * caller never disposes the argument itself. `mass` (per layer, one number per row, from
 * {@link attentionMass}) is required for h2o and ignored otherwise.
 */
export function applyPolicy(cache: KVCache, p: CachePolicy, mass?: readonly (readonly number[])[]): KVCache {
  if (p.type === 'h2o' && !mass)
    throw new PolicyError('h2o needs the step’s attention weights: forward with { weights: true } and pass attentionMass(weights)');
  if (!cache.kind.keep && cache.length > policyBudget(p)) {
    throw new PolicyError(
      `the ${cache.kind.name} cache cannot drop single positions (its key groups span tokens); use a per-token kind such as int8-token`,
    );
  }
  const step = cache.steps - 1; // the pass that just ran
  const evictions: Eviction[] = [];
  const layers = cache.layers.map((l, i): CacheLayer => {
    const total = p.type === 'h2o' ? l.positions.map((_, j) => (l.mass?.[j] ?? 0) + (mass![i][j] ?? 0)) : undefined;
    const keep = rowsToKeep(p, l.positions.length, total ?? []);
    const kept = (xs: readonly number[]) => keep.map((j) => xs[j]);
    if (keep.length === l.positions.length) return total ? { ...l, mass: total } : l;
    const kept1 = new Set(keep);
    l.positions.forEach((position, j) => kept1.has(j) || evictions.push({ position, step, layer: i }));
    const store = tf.tidy(() => cache.kind.keep!(l.store, keep) as tf.TensorContainer) as unknown;
    cache.kind.dispose(l.store);
    return { store, positions: kept(l.positions), ...(total ? { mass: kept(total) } : {}) };
  });
  return { ...cache, layers, length: layers[0]?.positions.length ?? 0, evictions: [...cache.evictions, ...evictions] };
}
