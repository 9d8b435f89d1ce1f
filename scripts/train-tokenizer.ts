/**
 * Train the byte-level BPE tokenizer on the training split of the Austen corpus.
 *
 *   npm run train-tokenizer                    # vocab 768 → data/tokenizer/austen-bpe-768.json
 *   npm run train-tokenizer -- --vocab 1024 --out some/path.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { trainBpe } from '../lib/train/bpe-train';
import { loadAusten } from '../lib/train/corpus';
import { BpeTokenizer } from '../lib/gpt/tokenizer';

const { values } = parseArgs({
  options: {
    vocab: { type: 'string', default: '768' },
    data: { type: 'string', default: 'data/austen' },
    out: { type: 'string' },
  },
});
const vocabSize = Number(values.vocab);
if (!Number.isInteger(vocabSize) || vocabSize < 256) {
  throw new Error(`--vocab must be an integer of at least 256 (the byte tokens), got "${values.vocab}".`);
}
const out = values.out ?? `data/tokenizer/austen-bpe-${vocabSize}.json`;

const t0 = performance.now();
const { train, val, stats } = loadAusten(values.data);
console.log(
  `corpus: train ${stats.trainChars.toLocaleString('en')} chars (${stats.trainChapters} chapters), ` +
    `val ${stats.valChars.toLocaleString('en')} chars (${stats.valChapters} chapters)`,
);

const tokenizer = trainBpe(train, { vocabSize });
const seconds = (performance.now() - t0) / 1000;
if (tokenizer.vocabSize !== vocabSize) {
  console.warn(`warning: only ${tokenizer.vocabSize - 256} merges were possible; vocab is ${tokenizer.vocabSize}`);
}

// Check the file we write loads back into the same tokenizer before anyone trains a model on it.
const json = tokenizer.toJSON();
const reloaded = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
for (const [name, text] of [
  ['train', train],
  ['val', val],
] as const) {
  const ids = reloaded.encode(text);
  if (reloaded.decode(ids) !== text) throw new Error(`round trip failed on the ${name} split`);
  console.log(`chars/token on ${name}: ${(text.length / ids.length).toFixed(3)} (${ids.length.toLocaleString('en')} tokens)`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(json) + '\n');

const longest = Array.from({ length: tokenizer.vocabSize }, (_, id) => id)
  .sort((a, b) => tokenizer.tokenBytes(b).length - tokenizer.tokenBytes(a).length || a - b)
  .slice(0, 20)
  .map((id) => JSON.stringify(tokenizer.tokenLabel(id)));
console.log(`vocab size: ${tokenizer.vocabSize} (256 bytes + ${tokenizer.merges.length} merges)`);
console.log(`20 longest tokens: ${longest.join(' ')}`);
console.log(`trained in ${seconds.toFixed(2)} s; wrote ${out}`);
