import { checkId, type Tokenizer, TokenizerError } from './tokenizer-contract';
import { printable, wtf8Decode, wtf8Encode } from './wtf8';

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
