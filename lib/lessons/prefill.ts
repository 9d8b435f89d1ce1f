/**
 * The prefill lesson's plain arithmetic (no tfjs), so the page can use it without loading the model
 * thread's code.
 */

/** Prompt lengths for the sweep: a few values up to what leaves room for the decode steps. */
export function sweepLengths(blockSize: number, decodeSteps: number, available: number): number[] {
  const max = Math.min(available, blockSize - decodeSteps);
  return [4, 16, 32, 64, 128, 192, 248].filter((p) => p <= max);
}
