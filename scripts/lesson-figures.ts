/**
 * Prints the figures the cache-shrinking lessons measure in the browser, computed in Node with the
 * same lib functions on the same held-out passage (public/data/val-passage.json), as markdown tables.
 *
 *   node --import tsx scripts/lesson-figures.ts [--backend cpu|wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { fullCache, type CacheKind } from '../lib/gpt/kvcache';
import { latentCache } from '../lib/gpt/kvcache-latent';
import { quantizedCache } from '../lib/gpt/kvcache-quantized';
import { loadModelDir } from '../lib/gpt/node-io';
import { disposeWeights } from '../lib/gpt/params';
import { measureKind } from '../lib/lessons/cache-quality';
import { measureModel, parseValPassage } from '../lib/lessons/gqa';

const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'wasm';
tf.enableProdMode();
await tf.setBackend(backend);
await tf.ready();
const passage = parseValPassage(JSON.parse(readFileSync('public/data/val-passage.json', 'utf8')));
const f = (x: number, d = 4) => x.toFixed(d);
console.log(`Passage: ${passage.source}, ${passage.characters} characters; backend ${tf.getBackend()}\n`);

console.log('| model | KV heads | cache bytes/token (measured) | loss/char on the passage |\n| --- | ---: | ---: | ---: |');
for (const name of ['austen', 'austen-gqa2', 'austen-gqa']) {
  const { model, tokenizer } = await loadModelDir(`public/models/${name}`);
  const m = await measureModel(model, tokenizer, passage.text);
  console.log(`| ${name} | ${m.nKvHead} | ${m.cacheBytesPerToken} | ${f(m.lossPerChar)} |`);
  disposeWeights(model.weights);
}

const { model, tokenizer } = await loadModelDir('public/models/austen');
const kinds: [string, () => Promise<CacheKind>][] = [
  ['full', async () => fullCache],
  ['int8 (KIVI)', async () => quantizedCache({ bits: 8, scheme: 'kivi' })],
  ['int4 (KIVI)', async () => quantizedCache({ bits: 4, scheme: 'kivi' })],
  ['int8-token', async () => quantizedCache({ bits: 8, scheme: 'token' })],
  ['int4-token', async () => quantizedCache({ bits: 4, scheme: 'token' })],
  ...[128, 64, 32, 16, 8, 4].map((r): [string, () => Promise<CacheKind>] => [`latent:${r}`, () => latentCache(model, r)]),
];
console.log(
  '\n| cache (austen) | bytes/token | max abs Δ logit | loss/char | first greedy divergence (of 40) |\n| --- | ---: | ---: | ---: | ---: |',
);
for (const [label, make] of kinds) {
  const m = await measureKind(model, tokenizer, passage.text, await make());
  console.log(
    `| ${label} | ${m.bytesPerToken} | ${m.maxAbsLogitDiff.toExponential(2)} | ${f(m.lossPerChar)} ` +
      `| ${m.firstDivergence === null ? 'none' : m.firstDivergence + 1} |`,
  );
}
disposeWeights(model.weights);
