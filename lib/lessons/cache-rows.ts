/**
 * Plain-array helpers for the "KV cache, row by row" lesson: flatten a layer's heads into rows, check
 * that old rows never change between steps, and the cache-size formula the lesson prints.
 */
import { bytesPerToken } from './cache-size';

/** [nKvHead][T][hs] → [T][nKvHead·hs]: one row per position, heads side by side. */
export function rowsOf(block: readonly (readonly (readonly number[])[])[]): number[][] {
  const T = block[0]?.length ?? 0;
  return Array.from({ length: T }, (_, t) => block.flatMap((head) => head[t]));
}

export interface RowDiff {
  /** Rows the new block has beyond the old one. */
  appended: number;
  /** Largest absolute change among the rows both blocks have (0 when the cache only grew). */
  maxOldRowChange: number;
}

/** How `next` differs from `prev`, row by row. */
export function diffRows(prev: readonly (readonly number[])[], next: readonly (readonly number[])[]): RowDiff {
  let max = 0;
  const shared = Math.min(prev.length, next.length);
  for (let t = 0; t < shared; t++) {
    const a = prev[t];
    const b = next[t];
    if (a.length !== b.length) return { appended: next.length - prev.length, maxOldRowChange: Infinity };
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return { appended: next.length - prev.length, maxOldRowChange: max };
}

export interface CacheShape {
  nLayer: number;
  nHead: number;
  nKvHead: number;
  nEmbd: number;
}

/** 2 · nLayer · nKvHead · hs · T · 4 bytes: a key and a value row per layer, float32 (the formula of cache-size.ts). */
export function cacheBytesFormula(c: CacheShape, T: number): number {
  return bytesPerToken({ kind: 'kv', nLayer: c.nLayer, nKvHead: c.nKvHead, headSize: c.nEmbd / c.nHead }, 'fp32') * T;
}
