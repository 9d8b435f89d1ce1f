/**
 * The memory rate behind the bench's bound ("the time to read every weight and the cache once").
 *
 * A decode step reads its weights and cache once, front to back, and writes almost nothing, so its
 * floor is a read rate — measured here by SIMD WebAssembly summing a buffer as large as what the
 * step reads (readBandwidths, one size per position), since that size decides whether the bytes
 * come from a cache or from memory. A JavaScript copy (copyBandwidth, STREAM's convention: bytes read + written) runs at about
 * half that rate on this lab's machines, and made the bound too loose: a step that reads its
 * weights in one pass came out above 100% of it.
 */
import { instantiateOver } from '../gpt/fast/wasm-attention';
import { clockInfo } from './clock';
import { median } from '../stats';

export interface Bandwidth {
  bytesPerSecond: number;
  method: string;
}

/** Beyond any CPU's last-level cache the rate no longer depends on size; the probe stops there. */
export const MAX_PROBE_BYTES = 128 * 2 ** 20;

/** Copy bandwidth from a JS Float32Array.set of `bytes`, counting bytes read + written. */
export function copyBandwidth(repeats: number, bytes = 64 * 2 ** 20): number {
  const src = new Float32Array(bytes / 4).fill(1);
  const dst = new Float32Array(bytes / 4);
  const ms: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    dst.set(src);
    if (i >= 2) ms.push(performance.now() - t0);
  }
  return (2 * bytes) / (median(ms) / 1000); // bytes per second
}

const MB = (b: number) => (b / 2 ** 20).toFixed(b < 2 ** 20 ? 2 : b < 10 * 2 ** 20 ? 1 : 0);

/** The read rate measured over as many bytes as a cached step at `position` reads. */
export interface PositionRate {
  position: number;
  bytes: number;
  bytesPerSecond: number;
}

/** What the bench's bound assumes: one rate per position timed, and the longest one's as `bytesPerSecond`. */
export interface Bandwidths extends Bandwidth {
  perPosition: PositionRate[];
}

/** Samples per size in the probe the bench takes at the start of every round (a few ms over ~60 MB). */
export const ROUND_PROBE_REPEATS = 5;

/** fastestOf's `how` for a whole run's probes, the same words in the CLI's JSON and the page's. */
export const RUN_PROBES = 'the fastest of probes before and after the timed runs and at the start of every round';

/** Untimed probe passes before any timed one (over at most 4 MB each). */
const WARM_PASSES = 8;

const probeSize = (bytes: number) => Math.max(2 ** 16, Math.min(MAX_PROBE_BYTES, Math.ceil(bytes / 64) * 64));

/**
 * One read rate per position, each over as many bytes as a cached step there reads: a short step's
 * weights may come from a cache that the longest step's bytes overflow, so one rate for every row
 * put short steps above 100% of "their" bound. One buffer (the largest size) serves every probe, each
 * reading its first `bytes`. Sizes are probed in turn, `repeats` samples each after two warm-ups; a
 * sample lasts at least `minSampleMs` (several passes where the clock is coarse, as in a browser).
 * Sizes stop at MAX_PROBE_BYTES. Where WebAssembly SIMD is missing, every position gets
 * copyBandwidth's rate, and `method` says so.
 */
export function readBandwidths(
  repeats: number,
  sizes: readonly { position: number; bytes: number }[],
  minSampleMs = clockInfo().minSampleMs,
): Bandwidths {
  const probe = probeBySize(repeats, sizes, minSampleMs);
  for (;;) {
    const r = probe.next();
    if (r.done) return r.value;
  }
}

/**
 * readBandwidths with `between()` awaited after each size, so a page that runs the model on its own
 * thread (no worker) can repaint: a ~60 MB size's samples take ~0.1 s, five sizes would block for half a second.
 */
export async function readBandwidthsYielding(
  repeats: number,
  sizes: readonly { position: number; bytes: number }[],
  between: () => Promise<void>,
  minSampleMs = clockInfo().minSampleMs,
): Promise<Bandwidths> {
  const probe = probeBySize(repeats, sizes, minSampleMs);
  for (;;) {
    const r = probe.next();
    if (r.done) return r.value;
    await between();
  }
}

/** The last probe's buffer, kept for the next probe (the bench probes every round) until released. */
let kept: { memory: WebAssembly.Memory; probe: ReturnType<typeof instantiateOver> } | null = null;

/** A buffer of at least `bytes` and the module over it (probe null: no SIMD, or no room for the buffer). */
function probeBuffer(bytes: number): { memory: WebAssembly.Memory | null; probe: ReturnType<typeof instantiateOver> } {
  if (kept && kept.memory.buffer.byteLength >= bytes) return kept;
  kept = null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 2 ** 16) });
    kept = { memory, probe: instantiateOver(memory) };
    return kept;
  } catch {
    return { memory: null, probe: null }; // no room for the buffer
  }
}

/** Lets the probe's buffer (up to MAX_PROBE_BYTES) go, once a bench run is over. */
export function releaseProbeBuffer(): void {
  kept = null;
}

/** The probe, pausing (yield) after each size. */
function* probeBySize(repeats: number, sizes: readonly { position: number; bytes: number }[], minSampleMs: number): Generator<void, Bandwidths> {
  if (sizes.length === 0) throw new Error('readBandwidths needs at least one size');
  const largest = Math.max(...sizes.map((s) => probeSize(s.bytes)));
  const { memory, probe } = probeBuffer(largest);
  if (!memory || !probe) {
    // No WebAssembly SIMD (or no memory for the buffer): a copy's rate, labelled as such, for every row.
    const copy = 64 * 2 ** 20;
    const rate = copyBandwidth(repeats, copy);
    return {
      bytesPerSecond: rate,
      method: `JS Float32Array.set of ${MB(copy)} MB, median; bytes read + written`,
      perPosition: sizes.map((s) => ({ position: s.position, bytes: s.bytes, bytesPerSecond: rate })),
    };
  }
  new Float32Array(memory.buffer, 0, largest / 4).fill(1); // touch every page before timing
  // Untimed passes first: engines run new WebAssembly on a baseline compiler and swap in optimised code
  // only on later calls (V8's tier-up), which made the first size probed read at half the rate in Chrome.
  for (let i = 0; i < WARM_PASSES; i++) probe.read_sum(0, Math.min(largest, 2 ** 22));
  const perPosition: PositionRate[] = [];
  for (const s of sizes) {
    const size = probeSize(s.bytes);
    const ms: number[] = []; // per pass
    for (let i = 0; i < repeats + 2; i++) {
      // A pass over a few MB takes ~0.1 ms: on a coarse clock a sample is several passes (clock.ts).
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      do {
        probe.read_sum(0, size);
        n++;
        t = performance.now();
      } while (t - t0 < minSampleMs && n < 10_000);
      if (i >= 2) ms.push((t - t0) / n);
    }
    perPosition.push({ position: s.position, bytes: s.bytes, bytesPerSecond: size / (median(ms) / 1000) });
    yield;
  }
  const longest = perPosition.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const what =
    sizes.length === 1
      ? `${MB(probeSize(longest.bytes))} MB (what a cached step at the longest position reads)`
      : `as many bytes as a cached step at each position reads (${MB(probeSize(Math.min(...sizes.map((s) => s.bytes))))}–` +
        `${MB(probeSize(longest.bytes))} MB)`;
  return { bytesPerSecond: longest.bytesPerSecond, method: `SIMD WebAssembly read of ${what}, median`, perPosition };
}

/**
 * Probes of the same sizes merged position by position, keeping the fastest rate (the bound is a
 * floor, so it takes the best rate the machine showed), with `how` (which probes these were) added to
 * the first one's method. On a shared machine the rate moves with other tenants' load: probed only
 * before and after a 20-minute run, a slow phase at both put ~11M-model steps at 108–122% of "their"
 * bound (measured), so the bench also probes at the start of every round.
 */
export function fastestOf(probes: readonly Bandwidths[], how: string): Bandwidths {
  if (probes.length === 0) throw new Error('fastestOf needs at least one probe');
  const [first, ...rest] = probes;
  const perPosition = first.perPosition.map((r) => {
    let best = r;
    for (const p of rest) {
      const other = p.perPosition.find((x) => x.position === r.position);
      if (other && other.bytesPerSecond > best.bytesPerSecond) best = other;
    }
    return best;
  });
  const longest = perPosition.reduce((x, y) => (y.bytes > x.bytes ? y : x));
  return { bytesPerSecond: longest.bytesPerSecond, method: `${first.method}; ${how}`, perPosition };
}

