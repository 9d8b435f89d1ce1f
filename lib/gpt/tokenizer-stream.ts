/**
 * Token ids to text as they arrive, for printing generation live. A token may end inside a multi-byte
 * character (an emoji is four byte tokens; a CJK character three), and decoding it alone prints U+FFFD.
 * The stream holds back the bytes of a character that has begun but not ended, and prints it whole
 * once its last byte arrives: everything it prints, joined, equals `tokenizer.decode(allIds)`.
 */
import { type Tokenizer, wtf8Decode } from './tokenizer';

export interface TextStream {
  /** The text that the bytes received so far complete (possibly ''). */
  push(id: number): string;
  /** Whatever is held back, decoded as is (a character cut off at the end shows as U+FFFD). */
  flush(): string;
}

/** Bytes a UTF-8 sequence starting with `lead` needs (1 for ASCII and for bytes that start no sequence). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** Whether `b` may follow `lead` as its second byte (the ranges wtf8Decode accepts). */
function validSecond(lead: number, b: number): boolean {
  if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
  if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
  if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  return b >= 0x80 && b <= 0xbf;
}

/**
 * How many of `bytes` can be decoded now: all of them, unless they end with the first bytes of a
 * character still waiting for the rest. The cut is always at a byte that starts a sequence, where the
 * decoder starts afresh, so decoding the parts separately gives the same text as decoding them joined.
 */
export function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = n - 1;
  while (i >= 0 && n - 1 - i < 3 && (bytes[i] & 0xc0) === 0x80) i--; // back over at most 3 continuation bytes
  if (i < 0) return n;
  const need = sequenceLength(bytes[i]);
  const have = n - i;
  const waiting = have < need && (have === 1 || validSecond(bytes[i], bytes[i + 1]));
  return waiting ? i : n;
}

/** A stream over `tokenizer`'s token bytes; see the module note. */
export function createTextStream(tokenizer: Tokenizer): TextStream {
  let held = new Uint8Array(0);
  return {
    push(id) {
      const add = tokenizer.tokenBytes(id);
      const bytes = new Uint8Array(held.length + add.length);
      bytes.set(held);
      bytes.set(add, held.length);
      const cut = completeLength(bytes);
      held = bytes.slice(cut);
      return wtf8Decode(bytes.subarray(0, cut));
    },
    flush() {
      const text = wtf8Decode(held);
      held = new Uint8Array(0);
      return text;
    },
  };
}
