/**
 * Training a byte-level BPE tokenizer (used by scripts/train-tokenizer.ts and the tokenizer tests).
 *
 * The corpus is pre-tokenised once into unique pieces with counts; merges are then learned over those
 * pieces, with pair counts updated incrementally only in the pieces that contain the merged pair.
 * Ties are broken deterministically: highest count, then lowest left id, then lowest right id.
 */
import { BpeTokenizer, GPT2_PATTERN, mergePair, pairKey, preTokenize, wtf8Encode } from '../gpt/tokenizer';

export interface TrainBpeOptions {
  /** Final vocabulary size: 256 bytes + (vocabSize - 256) merges. */
  vocabSize: number;
  /** Pre-tokenisation regex source (flags `gu`); GPT-2's by default. */
  pattern?: string;
}

/** Count how often each pre-tokenised piece occurs in the text. */
export function countPieces(text: string, pattern: string = GPT2_PATTERN): Map<string, number> {
  const counts = new Map<string, number>();
  for (const piece of preTokenize(text, new RegExp(pattern, 'gu'))) {
    counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  return counts;
}

/**
 * Learn merges on `text` until the vocabulary reaches `vocabSize` (or no pair occurs twice).
 * Deterministic: the same text and options always give the same merges.
 */
export function trainBpe(text: string, { vocabSize, pattern = GPT2_PATTERN }: TrainBpeOptions): BpeTokenizer {
  if (!Number.isInteger(vocabSize) || vocabSize < 256) {
    throw new Error(`vocabSize must be an integer >= 256 (the 256 byte tokens), got ${vocabSize}.`);
  }
  const pieceCounts = countPieces(text, pattern);
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [piece, count] of pieceCounts) {
    words.push(Array.from(wtf8Encode(piece)));
    freqs.push(count);
  }

  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>(); // pair → words that contain (or once contained) it
  const addPairs = (w: number, sign: 1 | -1) => {
    const ids = words[w];
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = pairKey(ids[i], ids[i + 1]);
      const next = (pairCounts.get(key) ?? 0) + sign * freqs[w];
      if (next === 0) pairCounts.delete(key);
      else pairCounts.set(key, next);
      if (sign === 1) {
        let set = where.get(key);
        if (!set) where.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  const merges: [number, number][] = [];
  while (256 + merges.length < vocabSize) {
    let bestKey = -1;
    let bestCount = 1; // a pair seen only once is not worth a token
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && bestKey >= 0 && key < bestKey)) {
        bestKey = key;
        bestCount = count;
      }
    }
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / 0x100000);
    const b = bestKey % 0x100000;
    const merged = 256 + merges.length;
    merges.push([a, b]);
    for (const w of where.get(bestKey) ?? []) {
      addPairs(w, -1);
      words[w] = mergePair(words[w], a, b, merged);
      addPairs(w, 1);
    }
    where.delete(bestKey);
  }
  return new BpeTokenizer(merges, pattern);
}
