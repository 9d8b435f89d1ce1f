import { printable, wtf8Decode, wtf8Encode } from './wtf8';

/**
 * The tokenizer contract every model in the lab speaks.
 *
 * Token ids are plain numbers in [0, vocabSize). `encode` accepts any JavaScript string — emoji,
 * control characters, even lone surrogates — and never throws; `decode(encode(s)) === s` always.
 */
export interface Tokenizer {
  /** Number of distinct token ids. */
  readonly vocabSize: number;
  /** Text to token ids. Never throws. */
  encode(text: string): number[];
  /** Token ids to text; the exact inverse of `encode` on its own output. */
  decode(ids: readonly number[]): string;
  /** The raw bytes one token stands for (a token may hold part of a multi-byte character). */
  tokenBytes(id: number): Uint8Array;
  /** A printable label for one token, for chips and heatmap rows (partial characters shown as \u{FFFD}). */
  tokenLabel(id: number): string;
}

/** A tokenizer file that cannot be read: the message names the problem and how to re-create the file. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

// ---------------------------------------------------------------------------------------------------
// One token per byte
// ---------------------------------------------------------------------------------------------------

/** The simplest lossless tokenizer: 256 tokens, one per byte of the WTF-8 encoding. */
export class ByteTokenizer implements Tokenizer {
  readonly vocabSize = 256;

  encode(text: string): number[] {
    return Array.from(wtf8Encode(text));
  }

  decode(ids: readonly number[]): string {
    return wtf8Decode(ids);
  }

  tokenBytes(id: number): Uint8Array {
    checkId(id, this.vocabSize);
    return Uint8Array.of(id);
  }

  tokenLabel(id: number): string {
    return printable(wtf8Decode(this.tokenBytes(id)));
  }

  toJSON(): { type: 'byte'; version: 1; vocabSize: 256 } {
    return { type: 'byte', version: 1, vocabSize: 256 };
  }
}

/** A RangeError unless `id` is a token of a vocabulary of `vocabSize` (shared by the tokenizers, not re-exported). */
export function checkId(id: number, vocabSize: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new RangeError(`Token id ${id} is outside this tokenizer's vocabulary [0, ${vocabSize}).`);
  }
}
