/**
 * Byte-level BPE splits text into tokens by bytes, not characters, so one character of UTF-8 (an
 * emoji: 4 bytes; "é": 2) can be spread over several tokens, each of which alone decodes to "�".
 * These helpers find the runs of tokens that together spell whole characters, so the chips can draw
 * the character once across the tokens it spans. Pure: bytes in, spans out.
 */

/** Number of bytes of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte). */
export function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1; // 0x80–0xBF: a continuation byte with no lead; counts as one (broken) character
}

/** A run of consecutive tokens whose bytes start and end on character boundaries. */
export interface TokenGroup {
  /** Index of the first token of the run, and how many tokens it holds. */
  start: number;
  count: number;
  /** The run's bytes decoded as UTF-8 (what the tokens spell together). */
  text: string;
}

/**
 * Groups tokens (given as their bytes) into the shortest runs that begin and end on a UTF-8
 * character boundary. A token that is whole characters is a run of one; a 4-byte emoji split into
 * two tokens is one run of two. Runs cover every token, in order; a run of more than one token is
 * always a character split across tokens.
 */
export function groupTokens(tokenBytes: readonly ArrayLike<number>[]): TokenGroup[] {
  const groups: TokenGroup[] = [];
  const decoder = new TextDecoder();
  let start = 0;
  let pending = 0; // bytes still owed to the character begun in an earlier byte
  let bytes: number[] = [];
  tokenBytes.forEach((tb, i) => {
    for (let j = 0; j < tb.length; j++) {
      const b = tb[j];
      bytes.push(b);
      const isContinuation = b >= 0x80 && b < 0xc0;
      if (pending > 0 && isContinuation) pending--;
      else pending = utf8Length(b) - 1; // a new character (or a broken sequence restarting)
    }
    if (pending === 0 || i === tokenBytes.length - 1) {
      groups.push({ start, count: i - start + 1, text: decoder.decode(Uint8Array.from(bytes)) });
      start = i + 1;
      bytes = [];
      pending = 0;
    }
  });
  return groups;
}

/** Bytes as hex pairs, e.g. "F0 9F 98 80": how a chip's tooltip names a partial character. */
export function hexBytes(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** Characters as Unicode code points (an emoji is 1, not JavaScript's 2 UTF-16 units). */
export function codePointCount(text: string): number {
  return Array.from(text).length;
}
