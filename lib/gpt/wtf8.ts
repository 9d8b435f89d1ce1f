/** Strings ↔ bytes for the tokenizers, losslessly, and token text made printable for labels. */

// ---------------------------------------------------------------------------------------------------
// Strings ↔ bytes, losslessly (WTF-8)
// ---------------------------------------------------------------------------------------------------
// A JS string is a sequence of UTF-16 code units and may hold lone surrogates. TextEncoder would turn
// those into U+FFFD and break decode(encode(s)) === s, so we use WTF-8: well-formed text is plain UTF-8,
// and each lone surrogate is written as its 3-byte generalized UTF-8 form (ED A0..BF xx).

/** Encode any JS string to bytes: UTF-8 for well-formed text, 3-byte forms for lone surrogates. */
export function wtf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3); // no code unit needs more than 3 bytes (pairs: 4 for 2)
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12); // lone surrogates land here too, as ED A0..BF xx
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

/**
 * Decode WTF-8 bytes to a string. Surrogate 3-byte forms come back as the lone code units they were.
 * Anything else that is not UTF-8 (a token holding half a character, say) becomes one U+FFFD per
 * maximal ill-formed subsequence, as TextDecoder does.
 */
export function wtf8Decode(bytes: ArrayLike<number>): string {
  const units: number[] = [];
  let out = '';
  const flush = () => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need = 0;
    let cp = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b < 0x80) {
      units.push(b);
      i++;
    } else {
      if (b >= 0xc2 && b <= 0xdf) [need, cp] = [1, b & 0x1f];
      else if (b >= 0xe0 && b <= 0xef) [need, cp, lower] = [2, b & 0x0f, b === 0xe0 ? 0xa0 : 0x80];
      else if (b >= 0xf0 && b <= 0xf4) {
        [need, cp] = [3, b & 0x07];
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
      }
      i++;
      let ok = need > 0;
      for (let k = 0; k < need && ok; k++) {
        const c = bytes[i];
        if (i < bytes.length && c >= lower && c <= upper) {
          cp = (cp << 6) | (c & 0x3f);
          i++;
          [lower, upper] = [0x80, 0xbf];
        } else {
          ok = false; // leave the byte that broke the sequence for the next round
        }
      }
      if (!ok) units.push(0xfffd);
      else if (cp < 0x10000) units.push(cp);
      else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
    if (units.length > 4096) flush(); // keep fromCharCode's argument list well under engine limits
  }
  flush();
  return out;
}

/**
 * Make token text printable in one line: `\n` → `↵`, tab → `⇥`, other C0 controls and DEL → their
 * Control Pictures (U+2400 block). Spaces stay spaces, so ` the` and `the` look different.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\n') return '↵';
    if (c === '\t') return '⇥';
    return c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0));
  });
}
