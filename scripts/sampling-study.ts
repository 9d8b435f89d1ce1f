/**
 * Chooses the lessons' default decoding from measured samples: continues a few prompts with the
 * shipped model under greedy decoding and several seeded sampling settings, and scores every
 * continuation by its real-word rate and its repeated 4-grams (lib/lessons/text-quality.ts).
 *
 *   node --import tsx scripts/sampling-study.ts [--model austen] [--tokens 60] [--out data/sampling-study.json]
 *
 * The lesson page shows the resulting table, so rerun this whenever public/models/<model> changes.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateCached } from '../lib/gpt/generate';
import { loadModelDir } from '../lib/gpt/node-io';
import type { SamplingOptions } from '../lib/gpt/sample';
import { loadAusten } from '../lib/train/corpus';
import { realWordRate, repeatedNgramRate, vocabulary } from '../lib/lessons/text-quality';

const PROMPTS = [
  'It is a truth universally acknowledged',
  'Mr. Darcy',
  '"My dear Emma,',
  'The next morning',
  'Elinor',
  'She could not help',
];
const SEEDS = [1, 2, 3, 4, 5];
const SETTINGS: { label: string; sampling: SamplingOptions }[] = [
  { label: 'greedy', sampling: {} },
  { label: 'temperature 0.6, top-k 40', sampling: { temperature: 0.6, topK: 40 } },
  { label: 'temperature 0.7, top-k 40', sampling: { temperature: 0.7, topK: 40 } },
  { label: 'temperature 0.8, top-k 40', sampling: { temperature: 0.8, topK: 40 } },
  { label: 'temperature 0.9, top-k 40', sampling: { temperature: 0.9, topK: 40 } },
  { label: 'temperature 1.0, top-k 40', sampling: { temperature: 1.0, topK: 40 } },
  { label: 'temperature 1.0, no filter', sampling: { temperature: 1.0 } },
  { label: 'temperature 0.8, top-p 0.9', sampling: { temperature: 0.8, topP: 0.9 } },
];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const modelName = flag('--model', 'austen');
  const tokens = Number(flag('--tokens', '60'));
  const out = flag('--out', 'data/sampling-study.json');
  const { model, tokenizer } = await loadModelDir(path.join('public', 'models', modelName));
  const known = vocabulary(loadAusten('data/austen').train);

  const rows = [];
  for (const { label, sampling } of SETTINGS) {
    const samples: { prompt: string; seed: number | null; text: string; realWords: number; repeated4: number }[] = [];
    for (const prompt of PROMPTS) {
      for (const seed of sampling.temperature ? SEEDS : [null]) {
        const ids = tokenizer.encode(prompt);
        const s = seed === null ? sampling : { ...sampling, seed };
        const gen: number[] = [];
        for await (const r of generateCached(model, tokenizer, ids, { maxNewTokens: tokens, sampling: s })) gen.push(r.id);
        const text = tokenizer.decode(gen);
        samples.push({ prompt, seed, text, realWords: realWordRate(text, known), repeated4: repeatedNgramRate(text) });
      }
    }
    const row = {
      label,
      sampling,
      samples: samples.length,
      realWordRate: mean(samples.map((x) => x.realWords)),
      repeated4gramRate: mean(samples.map((x) => x.repeated4)),
      examples: samples,
    };
    console.error(
      `${label.padEnd(28)} real words ${(100 * row.realWordRate).toFixed(1)}%  repeated 4-grams ` +
        `${(100 * row.repeated4gramRate).toFixed(1)}%  (${samples.length} samples)`,
    );
    rows.push(row);
  }
  tf.dispose(Object.values(model.weights));
  const card = JSON.parse(fs.readFileSync(path.join('public', 'models', modelName, 'card.json'), 'utf8'));
  const study = { model: modelName, modelValPerChar: card.loss?.valPerChar ?? null, tokens, prompts: PROMPTS, seeds: SEEDS, rows };
  fs.writeFileSync(out, `${JSON.stringify(study, null, 1)}\n`);
  console.error(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(`sampling-study: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
