/**
 * Two crude, checkable measures of whether generated text "reads well", used to choose the lessons'
 * default decoding settings from samples rather than by taste:
 * - real-word rate: the share of generated words that occur anywhere in the training text (a model
 *   that spells "cannottense" or "scheeral" scores lower);
 * - repeated 4-grams: the share of word 4-grams that already occurred earlier in the same text (greedy
 *   loops such as "of the course of the course" score high).
 * Pure functions over strings.
 */

/** Lower-case words: runs of letters, with inner apostrophes ("don't" is one word). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/\p{L}+(?:'\p{L}+)*/gu) ?? [];
}

/** Every distinct word of a text, for {@link realWordRate}. */
export function vocabulary(text: string): Set<string> {
  return new Set(words(text));
}

/** Share of the words of `text` found in `known` (NaN when `text` has no words). */
export function realWordRate(text: string, known: ReadonlySet<string>): number {
  const ws = words(text);
  return ws.filter((w) => known.has(w)).length / ws.length;
}

/** Share of the word n-grams of `text` that repeat an n-gram seen earlier in it (0 with fewer than n words). */
export function repeatedNgramRate(text: string, n = 4): number {
  const ws = words(text);
  const total = ws.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  for (let i = 0; i < total; i++) {
    const key = ws.slice(i, i + n).join(' ');
    if (seen.has(key)) repeats++;
    else seen.add(key);
  }
  return repeats / total;
}
