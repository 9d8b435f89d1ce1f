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
