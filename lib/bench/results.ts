/**
 * The bench's results as data: rows in bench/results.json's format (the /bench/ page downloads the
 * same), built from raw samples, plus the text table. Pure functions: Node and the browser share them.
 */
import type { GPTConfig } from '../gpt/config';
import { cacheBytesFor } from '../gpt/kvcache';
import { countParams } from '../gpt/params';
import type { Bandwidths, PositionRate } from './bandwidth';
import type { ClockInfo } from './clock';
import type { KernelCount } from './kernels';
import type { PathName, SampleKey } from './measure';
import { flatness, spread, type Flatness, type Spread } from './stats';

/** One position's raw measurements from one process (or one page run). */
export interface PositionRecord {
  position: number;
  samples: Partial<Record<SampleKey, number[]>>;
  kernels?: Partial<Record<SampleKey, KernelCount>>;
}

/** One process's (or page run's) measurements on one backend. */
export interface RunRecord {
  backend: string;
  /** What the backend ran on, e.g. "llvmpipe (software)"; absent for cpu and wasm. */
  device?: string;
  software?: boolean;
  /** The clock the samples were taken on, and the shortest sample it allowed (absent in older files). */
  clock?: ClockInfo;
  /** The read rates this process probed at the start of its rounds, the fastest per position (absent in older files). */
  bandwidth?: Bandwidths;
  positions: PositionRecord[];
}

/**
 * A row of bench/results.json. The first eight fields are the original format (kept so older readers
 * work); a row now exists per path, and the rest say how the figures were reached.
 */
export interface BenchRow {
  backend: string;
  position: number;
  naiveMs: number;
  cachedMs: number;
  speedup: number;
  cachedTokPerS: number;
  boundMs: number;
  share: number;
  path: PathName;
  /** The read rate behind boundMs: measured over this position's step bytes (absent in older files, which used one rate). */
  readBytesPerSecond?: number;
  size: string;
  device?: string;
  software?: boolean;
  naiveSpread: Spread;
  cachedSpread: Spread;
  /** Median of each process's own median: how much whole processes differ. */
  processMedians: { naive: number[]; cached: number[] };
  naiveKernels?: number;
  cachedKernels?: number;
  naiveGpuPrograms?: number | null;
  cachedGpuPrograms?: number | null;
}

export interface FlatnessRow {
  backend: string;
  path: PathName;
  long: number;
  short: number;
  flatness: Flatness;
}

export interface BenchResults {
  model: string;
  config: GPTConfig;
  repeats: number;
  machine: Record<string, string | number>;
  /** bytesPerSecond: the longest position's rate; perPosition: each position's (absent in older files). */
  bandwidth: { method: string; bytesPerSecond: number; perPosition?: PositionRate[] };
  rows: BenchRow[];
  size?: string;
  warmup?: number;
  processes?: number;
  /** Untimed cached steps run before each timed one (lib/bench/schedule.ts); absent in files from before run-ups. */
  runUp?: number;
  /** The clock's tick and the shortest sample (several back-to-back steps where the tick is coarse); absent in older files. */
  clock?: ClockInfo;
  flatness?: FlatnessRow[];
}

/** The read rates a bound is computed from: one per position, or (older files) a single one for all. */
export type ReadRates = { bytesPerSecond: number; perPosition?: readonly PositionRate[] };

/** Every path a row may be for, in table order ('static' only where `kvlab bench --static` timed it). */
const ROW_PATHS: readonly PathName[] = ['reference', 'fast', 'static'];

/** Bytes a cached decode step at position P reads at least once: every weight and the cache. */
export function stepBytes(c: GPTConfig, P: number): number {
  return countParams(c) * 4 + cacheBytesFor(c, P);
}

/** Time to read every weight and the cache of P positions once at `bytesPerSecond`: a decode step's floor. */
export function bandwidthBoundMs(c: GPTConfig, P: number, bytesPerSecond: number): number {
  return (stepBytes(c, P) / bytesPerSecond) * 1000;
}

/** The rate the bound uses at position P: that position's own probe, or the single rate older files and callers give. */
export function rateAt(bw: ReadRates, P: number): number {
  return bw.perPosition?.find((r) => r.position === P)?.bytesPerSecond ?? bw.bytesPerSecond;
}

/** Pools each (backend, position, path)'s samples over runs into rows; each position's bound uses its own read rate. */
export function buildRows(
  runs: readonly RunRecord[],
  c: GPTConfig,
  size: string,
  bandwidth: ReadRates,
): BenchRow[] {
  const rows: BenchRow[] = [];
  const backends = [...new Set(runs.map((r) => r.backend))];
  for (const backend of backends) {
    const mine = runs.filter((r) => r.backend === backend);
    const positions = [...new Set(mine.flatMap((r) => r.positions.map((p) => p.position)))].sort((a, b) => a - b);
    for (const P of positions) {
      const recs = mine.map((r) => r.positions.find((p) => p.position === P)).filter((p): p is PositionRecord => !!p);
      for (const path of ROW_PATHS) {
        const pool = (key: SampleKey) => recs.flatMap((r) => r.samples[key] ?? []);
        const naivePath = path === 'static' ? 'fast' : path; // no cache, so the same step as the fast path's
        const naive = pool(`naive-${naivePath}`);
        const cached = pool(`cached-${path}`);
        if (naive.length === 0 || cached.length === 0) continue;
        const ns = spread(naive);
        const cs = spread(cached);
        const rate = rateAt(bandwidth, P);
        const boundMs = bandwidthBoundMs(c, P, rate);
        const k = recs.find((r) => r.kernels)?.kernels;
        rows.push({
          backend,
          position: P,
          naiveMs: ns.median,
          cachedMs: cs.median,
          speedup: ns.median / cs.median,
          cachedTokPerS: 1000 / cs.median,
          boundMs,
          share: boundMs / cs.median,
          path,
          size,
          readBytesPerSecond: rate,
          ...(mine[0].device ? { device: mine[0].device, software: mine[0].software } : {}),
          naiveSpread: ns,
          cachedSpread: cs,
          processMedians: {
            naive: recs.map((r) => spread(r.samples[`naive-${naivePath}`] ?? []).median),
            cached: recs.map((r) => spread(r.samples[`cached-${path}`] ?? []).median),
          },
          ...(k
            ? {
                naiveKernels: k[`naive-${naivePath}`]?.kernels,
                cachedKernels: k[`cached-${path}`]?.kernels,
                naiveGpuPrograms: k[`naive-${naivePath}`]?.gpuPrograms,
                cachedGpuPrograms: k[`cached-${path}`]?.gpuPrograms,
              }
            : {}),
        });
      }
    }
  }
  return rows;
}

/** Cached-step flatness, longest position against the shortest, per backend and path. */
export function flatnessRows(rows: readonly BenchRow[]): FlatnessRow[] {
  const out: FlatnessRow[] = [];
  for (const backend of [...new Set(rows.map((r) => r.backend))]) {
    for (const path of ROW_PATHS) {
      const mine = rows.filter((r) => r.backend === backend && r.path === path).sort((a, b) => a.position - b.position);
      if (mine.length < 2) continue;
      const short = mine[0];
      const long = mine[mine.length - 1];
      out.push({ backend, path, long: long.position, short: short.position, flatness: flatness(long.cachedSpread, short.cachedSpread) });
    }
  }
  return out;
}

const f2 = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const iqr = (s: Spread) => `${f2(s.median)} (${f2(s.q25)}–${f2(s.q75)})`;

/** The markdown table `kvlab bench` prints: medians with their interquartile range, both paths side by side. */
export function formatTable(rows: readonly BenchRow[]): string {
  const head =
    '| backend | position | path | naive ms (IQR) | cached ms (IQR) | naive/cached | fast/ref naive ' +
      '| fast/ref cached | cached tok/s | bound ms | share of bound | kernels naive / cached | GPU ' +
      'programs naive / cached |';
  const sep = '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const ref = rows.find((x) => x.backend === r.backend && x.position === r.position && x.path === 'reference');
    const ratio = (a: number, b: number | undefined) => (r.path !== 'reference' && b ? `×${(a / b).toFixed(2)}` : '');
    const label = r.device ? `${r.backend} (${r.software ? 'software: ' : ''}${r.device})` : r.backend;
    const gpu = r.naiveGpuPrograms == null ? '–' : `${r.naiveGpuPrograms} / ${r.cachedGpuPrograms}`;
    return `| ${label} | ${r.position} | ${r.path} | ${iqr(r.naiveSpread)} | ${iqr(r.cachedSpread)} | ` +
      `${r.speedup.toFixed(1)}× | ${ratio(r.naiveMs, ref?.naiveMs)} | ` +
      `${ratio(r.cachedMs, ref?.cachedMs)} | ${r.cachedTokPerS.toFixed(0)} | ${r.boundMs.toFixed(3)} ` +
      `| ${(r.share * 100).toFixed(1)}% | ${r.naiveKernels ?? '–'} / ${r.cachedKernels ?? '–'} | ` +
      `${gpu} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** One line per flatness figure; a ratio is claimed only where it exceeds the spread. */
export function formatFlatness(rows: readonly FlatnessRow[]): string {
  return rows
    .map((f) => {
      const range = `${f.flatness.lo.toFixed(2)}–${f.flatness.hi.toFixed(2)}`;
      const what = `${f.backend} ${f.path}: cached step at ${f.long} vs ${f.short}`;
      return f.flatness.beyondSpread
        ? `${what}: ×${f.flatness.ratio.toFixed(2)} (IQR-to-IQR range ${range})`
        : `${what}: flat within the spread (IQRs overlap; ratio of medians ${f.flatness.ratio.toFixed(2)}, range ${range})`;
    })
    .join('\n');
}

/** The read rate behind each position's bound, e.g. "16: 13.2 GB/s over 43.8 MB; 512: 9.10 GB/s over 50.8 MB". */
export function formatRates(bw: ReadRates): string {
  const gb = (r: number) => `${(r / 1e9).toFixed(r >= 1e10 ? 1 : 2)} GB/s`;
  if (!bw.perPosition?.length) return gb(bw.bytesPerSecond);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MB`;
  return bw.perPosition.map((r) => `${r.position}: ${gb(r.bytesPerSecond)} over ${mb(r.bytes)}`).join('; ');
}
