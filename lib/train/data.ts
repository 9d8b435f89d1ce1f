import type { Tokenizer } from '../gpt/tokenizer';
import { createRng } from '../gpt/random';

/** The whole text as one stream of token ids. */
export function encodeStream(tokenizer: Tokenizer, text: string): Int32Array {
  return Int32Array.from(tokenizer.encode(text));
}

/** Inputs and next-token targets for a batch: [B, T] each, row-major. */
export interface Batch {
  x: Int32Array;
  y: Int32Array;
  B: number;
  T: number;
}

/**
 * B random windows of T+1 tokens: inputs are the first T, targets the last T. The random stream is
 * seeded by (seed, step), so a resumed run draws exactly the batches an unbroken run would have.
 */
export function sampleBatch(tokens: Int32Array, B: number, T: number, seed: number, step: number): Batch {
  const rng = createRng((seed * 1_000_003 + step) >>> 0);
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = rng.int(tokens.length - T - 1);
    x.set(tokens.subarray(start, start + T), b * T);
    y.set(tokens.subarray(start + 1, start + T + 1), b * T);
  }
  return { x, y, B, T };
}

/** Consecutive, non-overlapping windows covering the stream (the last partial window dropped). */
export function* evalWindows(tokens: Int32Array, B: number, T: number, maxBatches = Infinity): Generator<Batch> {
  const windows = Math.floor((tokens.length - 1) / T);
  for (let w0 = 0, n = 0; w0 < windows && n < maxBatches; w0 += B, n++) {
    const rows = Math.min(B, windows - w0);
    const x = new Int32Array(rows * T);
    const y = new Int32Array(rows * T);
    for (let r = 0; r < rows; r++) {
      const start = (w0 + r) * T;
      x.set(tokens.subarray(start, start + T), r * T);
      y.set(tokens.subarray(start + 1, start + T + 1), r * T);
    }
    yield { x, y, B: rows, T };
  }
}
