/**
 * Writes public/data/val-passage.json: a held-out passage for the lessons that measure loss in the
 * browser. It is the opening paragraphs (about 3,000 characters, whole paragraphs) of one validation
 * chapter, prepared exactly as training and evaluation prepare text (lib/train/corpus.ts), so no model saw it.
 *
 *   node --import tsx scripts/make-val-passage.ts [--corpus ../shared/corpus/austen]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUSTEN_NOVELS, isValidationChapter, splitChapters, toParagraphs, VALIDATION_RULE } from '../lib/train/corpus';

const NOVEL = 'prideprejudice.txt';
const CHAPTER = 20;
const TARGET_CHARS = 3000;

const dirArg = process.argv.indexOf('--corpus');
const dir = dirArg > 0 ? process.argv[dirArg + 1] : 'data/austen';
if (!isValidationChapter(CHAPTER)) throw new Error(`chapter ${CHAPTER} is not in the validation split`);
const title = AUSTEN_NOVELS.find((n) => n.file === NOVEL)!.title;
const { chapters } = splitChapters(toParagraphs(readFileSync(join(dir, NOVEL), 'utf8')));
const paragraphs = chapters[CHAPTER - 1].slice(1); // without the "Chapter 20" heading
const picked: string[] = [];
for (const p of paragraphs) {
  if (picked.join('\n\n').length >= TARGET_CHARS) break;
  picked.push(p);
}
const text = picked.join('\n\n');
const out = {
  source: `${title}, chapter ${CHAPTER} (validation split), opening ${picked.length} paragraphs`,
  rule: VALIDATION_RULE.text,
  characters: text.length,
  text,
};
writeFileSync('public/data/val-passage.json', JSON.stringify(out, null, 1) + '\n');
console.log(`${out.source}: ${text.length} characters`);
