/**
 * The prefill lesson's plain arithmetic (no tfjs), so the page can use it without loading the model
 * thread's code.
 */

/** Prompt lengths for the sweep: a few values up to what leaves room for the decode steps. */
export function sweepLengths(blockSize: number, decodeSteps: number, available: number): number[] {
  const max = Math.min(available, blockSize - decodeSteps);
  return [4, 16, 32, 64, 128, 192, 248].filter((p) => p <= max);
}

/** A prefill cell's prompt length, checked before anything runs: why it cannot run, or the length. */
export type PrefillInput = { ok: true; length: number } | { ok: false; message: string };

/**
 * The prompt must hold at least `min` tokens and leave `decodeSteps` positions of the `blockSize`
 * context for the decode steps timed after it. `length` is what the learner typed (NaN or 0 when empty).
 */
export function checkPrefillLength(length: number, min: number, blockSize: number, decodeSteps: number): PrefillInput {
  const max = blockSize - decodeSteps;
  if (!Number.isFinite(length) || length <= 0) {
    return { ok: false, message: `The prompt is empty: choose a prompt length from ${min} to ${max} tokens.` };
  }
  if (!Number.isInteger(length) || length < min) {
    return { ok: false, message: `A prompt length is a whole number of tokens from ${min} to ${max}.` };
  }
  if (length > max) {
    return {
      ok: false,
      message:
        `A prompt of ${length} tokens does not fit: the model sees at most ${blockSize} tokens, and ${decodeSteps} must be left ` +
        `for the next tokens timed after it. Choose at most ${max}.`,
    };
  }
  return { ok: true, length };
}
