/**
 * The one place that reads Jane Austen's six novels and splits them into training and validation text.
 * Node-only (reads files); the tokenizer trainer, the model trainer and evaluation all call `loadAusten`.
 *
 * Preparation, in order:
 * 1. Line endings become `\n`.
 * 2. Hard-wrapped lines are unwrapped: blank (or whitespace-only) lines separate paragraphs; the lines of
 *    one paragraph are trimmed and joined with a single space, so each paragraph is one line.
 *    Paragraphs are separated by `\n\n`. Chapter and volume headings are their own paragraphs.
 *    Punctuation, quotes, `--` dashes, double spaces inside a line and the one `£` are kept as-is.
 * 3. Each novel is cut into front matter (title lines before the first chapter) and chapters. A chapter
 *    starts at a paragraph `Chapter N` / `CHAPTER N` (arabic or roman); a `VOLUME N` heading right before
 *    a chapter belongs to that chapter. Chapters are counted in reading order, so Emma's restarting
 *    numbering (I–XVIII in each volume) still gives chapters 1–55.
 * 4. Split by whole chapters with {@link VALIDATION_RULE}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The split rule, quotable by the README and the model card. */
export const VALIDATION_RULE = {
  everyNthChapter: 10,
  text:
    'Every 10th chapter of each novel (its 10th, 20th, 30th, … in reading order, counting across volumes) ' +
    'goes to validation; all other chapters and the front matter (title lines) go to training.',
} as const;

/** The six novels in publication order; this order fixes the order of text in each split. */
export const AUSTEN_NOVELS = [
  { file: 'sensesensibility.txt', title: 'Sense and Sensibility' },
  { file: 'prideprejudice.txt', title: 'Pride and Prejudice' },
  { file: 'mansfieldpark.txt', title: 'Mansfield Park' },
  { file: 'emma.txt', title: 'Emma' },
  { file: 'northangerabbey.txt', title: 'Northanger Abbey' },
  { file: 'persuasion.txt', title: 'Persuasion' },
] as const;

const CHAPTER_HEADING = /^(?:CHAPTER|Chapter) (?:\d+|[IVXLC]+)\.?$/;
const VOLUME_HEADING = /^(?:VOLUME|Volume) (?:\d+|[IVXLC]+)\.?$/;

/** A novel cut into front matter and chapters, each a list of one-line paragraphs. */
export interface SplitNovel {
  front: string[];
  chapters: string[][];
}

export interface NovelStats {
  file: string;
  title: string;
  chapters: number;
  trainChapters: number;
  valChapters: number;
  /** 1-based reading-order numbers of the validation chapters. */
  valChapterNumbers: number[];
  trainChars: number;
  valChars: number;
}

export interface CorpusStats {
  novels: NovelStats[];
  trainChars: number;
  valChars: number;
  trainChapters: number;
  valChapters: number;
  /** valChars / (trainChars + valChars). */
  valFraction: number;
}

export interface AustenCorpus {
  train: string;
  val: string;
  stats: CorpusStats;
}

/** Whether chapter number `n` (1-based, reading order within its novel) goes to validation. */
export function isValidationChapter(n: number): boolean {
  return n % VALIDATION_RULE.everyNthChapter === 0;
}

/** Normalise line endings and unwrap hard-wrapped lines: one paragraph per entry. */
export function toParagraphs(raw: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of raw.replace(/\r\n?/g, '\n').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (current.length > 0) paragraphs.push(current.join(' '));
      current = [];
    } else {
      current.push(trimmed);
    }
  }
  if (current.length > 0) paragraphs.push(current.join(' '));
  return paragraphs;
}

/** Cut one novel's paragraphs into front matter and chapters (volume headings join the next chapter). */
export function splitChapters(paragraphs: readonly string[]): SplitNovel {
  const front: string[] = [];
  const chapters: string[][] = [];
  for (let i = 0; i < paragraphs.length; i++) {
    const p = paragraphs[i];
    const startsVolume = VOLUME_HEADING.test(p) && CHAPTER_HEADING.test(paragraphs[i + 1] ?? '');
    const startsChapter = CHAPTER_HEADING.test(p) && !VOLUME_HEADING.test(paragraphs[i - 1] ?? '');
    if (startsVolume || startsChapter) chapters.push([]);
    (chapters.length > 0 ? chapters[chapters.length - 1] : front).push(p);
  }
  return { front, chapters };
}

/** Split one novel's raw text into its training and validation parts. */
export function splitNovel(raw: string): { train: string; val: string; chapters: number; valChapterNumbers: number[] } {
  const { front, chapters } = splitChapters(toParagraphs(raw));
  const train: string[] = [...front];
  const val: string[] = [];
  const valChapterNumbers: number[] = [];
  chapters.forEach((chapter, i) => {
    if (isValidationChapter(i + 1)) {
      val.push(...chapter);
      valChapterNumbers.push(i + 1);
    } else {
      train.push(...chapter);
    }
  });
  return { train: train.join('\n\n'), val: val.join('\n\n'), chapters: chapters.length, valChapterNumbers };
}

/**
 * Read the six novels from `dir` and split them by whole chapters (see {@link VALIDATION_RULE}).
 * Deterministic: the same files always give the same strings. Novels are joined with `\n\n`.
 */
export function loadAusten(dir = 'data/austen'): AustenCorpus {
  const trainParts: string[] = [];
  const valParts: string[] = [];
  const novels: NovelStats[] = [];
  for (const { file, title } of AUSTEN_NOVELS) {
    let raw: string;
    try {
      raw = readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      throw new Error(`Cannot read ${join(dir, file)}: copy the six novels into ${dir} (see data/austen/README.md). ${String(err)}`);
    }
    const { train, val, chapters, valChapterNumbers } = splitNovel(raw);
    if (chapters === 0) throw new Error(`${file}: found no "Chapter N" / "CHAPTER N" headings; is this an Austen novel?`);
    trainParts.push(train);
    valParts.push(val);
    novels.push({
      file,
      title,
      chapters,
      trainChapters: chapters - valChapterNumbers.length,
      valChapters: valChapterNumbers.length,
      valChapterNumbers,
      trainChars: train.length,
      valChars: val.length,
    });
  }
  const train = trainParts.join('\n\n');
  const val = valParts.join('\n\n');
  const sum = (key: 'trainChapters' | 'valChapters') => novels.reduce((s, n) => s + n[key], 0);
  return {
    train,
    val,
    stats: {
      novels,
      trainChars: train.length,
      valChars: val.length,
      trainChapters: sum('trainChapters'),
      valChapters: sum('valChapters'),
      valFraction: val.length / (train.length + val.length),
    },
  };
}
