/** Copy bandwidth from a JS Float32Array.set of `bytes`, counting bytes read + written (STREAM's convention). */
import { median } from '../stats';

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
