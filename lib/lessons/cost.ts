/**
 * Multiply-add counts for one generation step of a GPT-2-style decoder, with and without a KV cache.
 * Pure arithmetic, no tfjs: lesson 1 plots these numbers.
 *
 * Per layer and per token that goes through the layer, the weight matrices cost 12·C² multiply-adds:
 * 3·C² for the query/key/value projection, C² for the attention output projection and 8·C² for the
 * MLP (C → 4C → C). Attention itself costs T·C for the scores q·kᵀ against T positions and T·C more
 * for the weighted sum of values. Embeddings, layer norms and the final vocabulary projection are left
 * out: they cost the same with or without a cache.
 *
 *   naive step at length t  = L · (12·C²·t + 2·C·t²)   — every token of the prefix goes through again
 *   cached step at length t = L · (12·C²   + 2·C·t)    — only the new token; its query meets t cached keys
 */

export interface ModelShape {
  /** Number of transformer blocks (L). */
  nLayer: number;
  /** Width of the residual stream (C). */
  nEmbd: number;
}

/** Multiply-adds for one step that recomputes the whole length-`t` prefix (no cache). */
export function naiveStepMacs({ nLayer, nEmbd }: ModelShape, t: number): number {
  return nLayer * (12 * nEmbd * nEmbd * t + 2 * nEmbd * t * t);
}

/** Multiply-adds for one step that runs only the newest token against `t` cached positions. */
export function cachedStepMacs({ nLayer, nEmbd }: ModelShape, t: number): number {
  return nLayer * (12 * nEmbd * nEmbd + 2 * nEmbd * t);
}

/** Bytes the cache holds at length `t`: a key and a value vector of width C per token per layer. */
export function kvCacheBytes({ nLayer, nEmbd }: ModelShape, t: number, bytesPerValue = 4): number {
  return 2 * nLayer * t * nEmbd * bytesPerValue;
}

export interface CostRow {
  /** Sequence length at this step (tokens the new token can see, itself included). */
  t: number;
  naive: number;
  cached: number;
  naiveTotal: number;
  cachedTotal: number;
}

/** One row per step t = 1…n, with running totals. */
export function costTable(shape: ModelShape, n: number): CostRow[] {
  const rows: CostRow[] = [];
  let naiveTotal = 0;
  let cachedTotal = 0;
  for (let t = 1; t <= n; t++) {
    const naive = naiveStepMacs(shape, t);
    const cached = cachedStepMacs(shape, t);
    naiveTotal += naive;
    cachedTotal += cached;
    rows.push({ t, naive, cached, naiveTotal, cachedTotal });
  }
  return rows;
}

/** About `count` rows spread evenly over the table, always keeping the first and last. */
export function sampleRows<T>(rows: readonly T[], count: number): T[] {
  if (rows.length <= count) return [...rows];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (rows.length - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => rows[i]);
}

/** 1234567 → "1.23 M"; SI prefixes, three significant digits. */
export function formatCount(value: number): string {
  const units = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 ? String(Math.round(v)) : v.toPrecision(3);
  return units[i] ? `${digits} ${units[i]}` : digits;
}

/** 75497472 → "72.0 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toPrecision(3)} ${units[i]}`;
}
