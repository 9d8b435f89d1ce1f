/**
 * The class page's arithmetic: the room's submitted results grouped by device, backend and size (tokens
 * generated), with medians, and the CSV of every result. Plain values in and out, no React, so the
 * numbers on the projector are checked by unit tests. Types mirror lib/server/results.ts without
 * importing it (that module is Node-only).
 */
import { median } from '../stats';
import { toCsv } from './race';

/** One result as GET /api/results returns it. */
export interface SharedResult {
  id: string;
  at: string;
  kind: 'race' | 'bench';
  nickname?: string;
  device: string;
  backend: string;
  software?: boolean;
  model: string;
  tokens: number;
  repeats: number;
  naiveMedianMs: number;
  cachedMedianMs: number;
  speedup: number;
  tokensMatch: boolean;
}

/** A row of the class table: every result of one kind and model, on one device and backend, at one size. */
export interface ClassGroup {
  kind: 'race' | 'bench';
  model: string;
  device: string;
  backend: string;
  tokens: number;
  software: boolean;
  count: number;
  naiveMedianMs: number;
  cachedMedianMs: number;
  /** Median of the results' speedups (each naive ÷ cached from one learner's run). */
  speedup: number;
}

/**
 * Groups results by kind × model × device × backend × tokens, sorted by size, then by speedup (fastest
 * gain first). A race (ms per generated token) and a bench step (one step at a position) are different
 * measurements, so they never share a group.
 */
export function groupResults(results: readonly SharedResult[]): ClassGroup[] {
  const groups = new Map<string, SharedResult[]>();
  for (const r of results) {
    const key = JSON.stringify([r.kind, r.model, r.device, r.backend, r.tokens]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((rs) => ({
      kind: rs[0].kind,
      model: rs[0].model,
      device: rs[0].device,
      backend: rs[0].backend,
      tokens: rs[0].tokens,
      software: rs.some((r) => r.software),
      count: rs.length,
      naiveMedianMs: median(rs.map((r) => r.naiveMedianMs)),
      cachedMedianMs: median(rs.map((r) => r.cachedMedianMs)),
      speedup: median(rs.map((r) => r.speedup)),
    }))
    .sort((a, b) => a.tokens - b.tokens || b.speedup - a.speedup || a.device.localeCompare(b.device));
}

/**
 * Chart rows: one per size, with the median speedup of each backend across the room's results at that
 * size (a backend with no result at a size has no value there, so its line skips it).
 */
export function speedupBySize(results: readonly SharedResult[]): { rows: Record<string, number>[]; backends: string[] } {
  const backends = [...new Set(results.map((r) => r.backend))].sort();
  const sizes = [...new Set(results.map((r) => r.tokens))].sort((a, b) => a - b);
  const rows = sizes.map((tokens) => {
    const row: Record<string, number> = { tokens };
    for (const b of backends) {
      const xs = results.filter((r) => r.tokens === tokens && r.backend === b).map((r) => r.speedup);
      if (xs.length) row[b] = median(xs);
    }
    return row;
  });
  return { rows, backends };
}

/** Every result as CSV, one row each, in the order they arrived. */
export function classCsv(results: readonly SharedResult[]): string {
  const header = [
    'at',
    'nickname',
    'device',
    'backend',
    'software_gpu',
    'model',
    'kind',
    'tokens',
    'repeats',
    'naive_median_ms',
    'cached_median_ms',
    'speedup',
    'tokens_match',
  ];
  return toCsv(
    header,
    results.map((r) => [
      r.at,
      r.nickname ?? '',
      r.device,
      r.backend,
      Boolean(r.software),
      r.model,
      r.kind,
      r.tokens,
      r.repeats,
      Number(r.naiveMedianMs.toFixed(3)),
      Number(r.cachedMedianMs.toFixed(3)),
      Number(r.speedup.toFixed(3)),
      r.tokensMatch,
    ]),
  );
}

/** The adapter fields deviceLabel reads (a subset of the backend report's). */
export interface AdapterLike {
  vendor: string;
  architecture: string;
  description?: string;
}

/**
 * A short, anonymous name for the learner's machine: the WebGPU adapter when there is one
 * ("apple metal-3"), else the kind of device from the user agent ("Android phone", "Mac").
 */
export function deviceLabel(adapter: AdapterLike | null | undefined, userAgent: string): string {
  const gpu = adapter ? adapter.description?.trim() || `${adapter.vendor} ${adapter.architecture}`.trim() : '';
  const kind = /iPhone/.test(userAgent)
    ? 'iPhone'
    : /iPad/.test(userAgent)
      ? 'iPad'
      : /Android/.test(userAgent)
        ? /Mobile/.test(userAgent)
          ? 'Android phone'
          : 'Android tablet'
        : /CrOS/.test(userAgent)
          ? 'Chromebook'
          : /Mac OS X|Macintosh/.test(userAgent)
            ? 'Mac'
            : /Windows/.test(userAgent)
              ? 'Windows PC'
              : /Linux/.test(userAgent)
                ? 'Linux PC'
                : 'Unknown device';
  const label = gpu ? `${kind}, ${gpu}` : kind;
  // The server accepts printable text up to 80 characters.
  return label.replace(/[\u0000-\u001f\u007f<>]/g, '').slice(0, 80);
}
