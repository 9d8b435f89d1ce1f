/**
 * The memory rate behind the bench's bound ("the time to read every weight and the cache once").
 *
 * A decode step reads its weights and cache once, front to back, and writes almost nothing, so its
 * floor is a read rate — measured here by SIMD WebAssembly summing a buffer as large as what the
 * step reads (readBandwidth), since that size decides whether the bytes come from a cache or from
 * memory. A JavaScript copy (copyBandwidth, STREAM's convention: bytes read + written) runs at about
 * half that rate on this lab's machines, and made the bound too loose: a step that reads its
 * weights in one pass came out above 100% of it.
 */
import { instantiateOver } from '../gpt/fast/wasm-attention';
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

const MB = (b: number) => (b / 2 ** 20).toFixed(b < 2 ** 20 ? 2 : 0);

/**
 * Read bandwidth over a buffer of `bytes` (a step's weights and cache; at most MAX_PROBE_BYTES), the
 * median of `repeats` passes after two warm-ups. Falls back to copyBandwidth where WebAssembly SIMD is
 * missing, and says so in `method`.
 */
export function readBandwidth(repeats: number, bytes: number): Bandwidth {
  const size = Math.max(2 ** 16, Math.min(MAX_PROBE_BYTES, Math.ceil(bytes / 64) * 64));
  let memory: WebAssembly.Memory | null = null;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(size / 2 ** 16) });
  } catch {
    memory = null; // no room for the buffer
  }
  const probe = memory && instantiateOver(memory);
  if (!memory || !probe) {
    // No WebAssembly SIMD (or no memory for the buffer): a copy's rate, labelled as such.
    const copy = 64 * 2 ** 20;
    return { bytesPerSecond: copyBandwidth(repeats, copy), method: `JS Float32Array.set of ${MB(copy)} MB, median; bytes read + written` };
  }
  new Float32Array(memory.buffer, 0, size / 4).fill(1); // touch every page before timing
  const ms: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    probe.read_sum(0, size);
    if (i >= 2) ms.push(performance.now() - t0);
  }
  return {
    bytesPerSecond: size / (median(ms) / 1000),
    method: `SIMD WebAssembly read of ${MB(size)} MB (what a cached step at the longest position reads), median`,
  };
}
