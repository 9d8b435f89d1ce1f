/**
 * One attention head at one position, stage by stage, from a plain trace (see lib/gpt/trace.ts).
 * Pure arithmetic on plain arrays: the "Queries, keys and values" lesson shows exactly these numbers.
 */
import type { PlainLayerTrace } from '../gpt/trace';

/** The key/value head query head `h` reads: floor(h / (nHead / nKvHead)). */
export function kvHeadFor(h: number, nHead: number, nKvHead: number): number {
  return Math.floor(h / (nHead / nKvHead));
}

/** Σ_j weights[j] · rows[j]: the attention output for one query (rows with weight 0 add nothing). */
export function weightedSum(weights: readonly number[], rows: readonly (readonly number[])[]): number[] {
  const out = new Array<number>(rows[0]?.length ?? 0).fill(0);
  weights.forEach((w, j) => {
    if (w === 0) return;
    rows[j].forEach((x, i) => (out[i] += w * x));
  });
  return out;
}

/** Plain dot product. */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

/** Everything one query does at position t in one head of one layer. */
export interface HeadStep {
  /** The key/value head this query head reads (differs from the query head under GQA). */
  kvHead: number;
  /** The query of position t: [hs]. */
  q: number[];
  /** The keys and values the query can see — positions 0…t, what a cache holds at this step: [t+1][hs]. */
  k: number[][];
  v: number[][];
  /** One entry per position of the whole traced sequence (future positions included, to show the mask). */
  scores: number[];
  scaled: number[];
  /** −Infinity for positions after t. */
  masked: number[];
  weights: number[];
  /** Σ_j weights[j] · v[j], computed here from the traced weights and values: [hs]. */
  output: number[];
}

/** Picks head `h`, position `t` out of one layer's trace. */
export function headStep(layer: PlainLayerTrace, h: number, t: number, nHead: number): HeadStep {
  const nKvHead = layer.k.length;
  const kvHead = kvHeadFor(h, nHead, nKvHead);
  const k = layer.k[kvHead].slice(0, t + 1);
  const v = layer.v[kvHead].slice(0, t + 1);
  const weights = layer.weights[h][t];
  return {
    kvHead,
    q: layer.q[h][t],
    k,
    v,
    scores: layer.scores[h][t],
    scaled: layer.scaled[h][t],
    masked: layer.masked[h][t],
    weights,
    output: weightedSum(weights.slice(0, t + 1), v),
  };
}

/** A number for a heatmap cell or table: fixed decimals, "−∞" for -Infinity, a true minus sign. */
export function formatValue(x: number, digits = 2): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  if (Number.isNaN(x)) return '—';
  const s = x.toFixed(digits);
  return s.startsWith('-') && Number(s) !== 0 ? '−' + s.slice(1) : s.replace(/^-/, '');
}
