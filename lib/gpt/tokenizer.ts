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

function checkId(id: number, vocabSize: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new RangeError(`Token id ${id} is outside this tokenizer's vocabulary [0, ${vocabSize}).`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Byte-level BPE
// ---------------------------------------------------------------------------------------------------

/**
 * GPT-2's pre-tokenisation pattern: English contractions, words with their leading space, numbers,
 * punctuation runs, and whitespace runs (a run of spaces gives its last space to the next word).
 * Merges never cross these pieces.
 */
export const GPT2_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * Split text into pre-tokenisation pieces. Any text the pattern does not match becomes a piece of
 * its own, so the pieces always join back to the input, whatever pattern is used.
 */
export function preTokenize(text: string, pattern: RegExp): string[] {
  const pieces: string[] = [];
  let end = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0] === '') continue;
    if (m.index > end) pieces.push(text.slice(end, m.index));
    pieces.push(m[0]);
    end = m.index + m[0].length;
  }
  if (end < text.length) pieces.push(text.slice(end));
  return pieces;
}

/** Serialised form of a {@link BpeTokenizer}: the file the app downloads. */
export interface BpeTokenizerJSON {
  type: 'byte-bpe';
  version: 1;
  vocabSize: number;
  /** Source of the pre-tokenisation regex, compiled with flags `gu`. */
  pattern: string;
  /** merges[i] = [left, right]: token 256 + i is left's bytes followed by right's bytes. */
  merges: [number, number][];
}

/** Map key for a pair of token ids (ids stay far below 2^20). */
export const pairKey = (a: number, b: number): number => a * 0x100000 + b;

const PIECE_CACHE_LIMIT = 50_000;

/**
 * Byte-level BPE, as in GPT-2: ids 0–255 are bytes, id 256 + i is merge i. Text is pre-tokenised,
 * each piece turned into WTF-8 bytes, then merges are applied by rank, lowest first.
 */
export class BpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly pattern: string;
  readonly merges: readonly (readonly [number, number])[];
  private readonly regex: RegExp;
  private readonly ranks = new Map<number, number>(); // pairKey → merge index
  private readonly bytes: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();

  constructor(merges: readonly (readonly [number, number])[], pattern: string = GPT2_PATTERN) {
    this.pattern = pattern;
    this.regex = new RegExp(pattern, 'gu');
    this.merges = merges.map(([a, b]) => [a, b] as const);
    this.vocabSize = 256 + merges.length;
    for (let b = 0; b < 256; b++) this.bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], i) => {
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
      this.ranks.set(pairKey(a, b), i);
    });
  }

  /** Load and validate a tokenizer file; throws an Error naming the first problem found. */
  static fromJSON(json: unknown): BpeTokenizer {
    const fail = (what: string): never => {
      throw new TokenizerError(`Invalid byte-bpe tokenizer JSON: ${what}. Re-create it with \`npm run train-tokenizer\`.`);
    };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected an object');
    const j = json as Record<string, unknown>;
    if (j.type !== 'byte-bpe') fail(`"type" must be "byte-bpe", got ${JSON.stringify(j.type)}`);
    if (j.version !== 1) fail(`"version" must be 1, got ${JSON.stringify(j.version)}`);
    if (typeof j.pattern !== 'string') fail('"pattern" must be a string (a regex source)');
    try {
      new RegExp(j.pattern as string, 'gu');
    } catch (err) {
      fail(`"pattern" is not a valid regex with flags gu (${(err as Error).message})`);
    }
    if (!Array.isArray(j.merges)) fail('"merges" must be an array of [left, right] id pairs');
    const merges = j.merges as unknown[];
    const seen = new Set<number>();
    merges.forEach((m, i) => {
      const ok = Array.isArray(m) && m.length === 2 && m.every((id) => Number.isInteger(id) && id >= 0);
      if (!ok) fail(`merges[${i}] must be a pair of non-negative integers, got ${JSON.stringify(m)}`);
      const [a, b] = m as [number, number];
      if (a >= 256 + i || b >= 256 + i) {
        fail(`merges[${i}] = [${a}, ${b}] refers to a token not yet defined (only ids 0..${255 + i} exist before it)`);
      }
      if (seen.has(pairKey(a, b))) fail(`merges[${i}] = [${a}, ${b}] repeats an earlier merge`);
      seen.add(pairKey(a, b));
    });
    if (j.vocabSize !== 256 + merges.length) {
      fail(`"vocabSize" is ${JSON.stringify(j.vocabSize)} but 256 bytes + ${merges.length} merges = ${256 + merges.length}`);
    }
    return new BpeTokenizer(merges as [number, number][], j.pattern as string);
  }

  toJSON(): BpeTokenizerJSON {
    return {
      type: 'byte-bpe',
      version: 1,
      vocabSize: this.vocabSize,
      pattern: this.pattern,
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }

  /** Split text into the pieces merges stay inside. */
  preTokenize(text: string): string[] {
    return preTokenize(text, this.regex);
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.preTokenize(text)) {
      for (const id of this.encodePiece(piece)) ids.push(id);
    }
    return ids;
  }

  /** Encode one pre-tokenised piece: its bytes, then the lowest-ranked merge present, repeatedly. */
  encodePiece(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let ids = Array.from(wtf8Encode(piece));
    while (ids.length > 1) {
      let best = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const rank = this.ranks.get(pairKey(ids[i], ids[i + 1]));
        if (rank !== undefined && rank < best) best = rank;
      }
      if (best === Infinity) break;
      ids = mergePair(ids, this.merges[best][0], this.merges[best][1], 256 + best);
    }
    if (this.cache.size >= PIECE_CACHE_LIMIT) this.cache.clear(); // bounded; Austen needs ~15k pieces
    this.cache.set(piece, ids);
    return ids;
  }

  decode(ids: readonly number[]): string {
    let length = 0;
    for (const id of ids) length += this.tokenBytes(id).length;
    const bytes = new Uint8Array(length);
    let n = 0;
    for (const id of ids) {
      bytes.set(this.bytes[id], n);
      n += this.bytes[id].length;
    }
    return wtf8Decode(bytes);
  }

  tokenBytes(id: number): Uint8Array {
    checkId(id, this.vocabSize);
    return this.bytes[id];
  }

  /** The token's text; a partial UTF-8 character shows as U+FFFD, `\n` as `↵` (see {@link printable}). */
  tokenLabel(id: number): string {
    return printable(wtf8Decode(this.tokenBytes(id)));
  }
}

/** Replace every non-overlapping (left to right) occurrence of the pair (a, b) in ids by `merged`. */
export function mergePair(ids: readonly number[], a: number, b: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(merged);
      i++;
    } else {
      out.push(ids[i]);
    }
  }
  return out;
}

/** Build the tokenizer a JSON file describes, by its `type`: `"byte"` or `"byte-bpe"`; a TokenizerError otherwise. */
export function loadTokenizer(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TokenizerError(`The tokenizer JSON is ${JSON.stringify(json)}, not an object with a "type". Re-export the model's tokenizer.json.`);
  }
  const j = json as { type?: unknown; version?: unknown; vocabSize?: unknown };
  if (j.type === 'byte') {
    if (j.version !== 1 || j.vocabSize !== 256) {
      throw new TokenizerError(`A "byte" tokenizer has version 1 and vocabSize 256, got ${JSON.stringify(j.version)} and ${JSON.stringify(j.vocabSize)}.`);
    }
    return new ByteTokenizer();
  }
  if (j.type === 'byte-bpe') return BpeTokenizer.fromJSON(json);
  throw new TokenizerError(`Unknown tokenizer type ${JSON.stringify(j.type)}: expected "byte" or "byte-bpe". Re-export the model's tokenizer.json.`);
}
