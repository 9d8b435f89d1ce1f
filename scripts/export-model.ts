/**
 * Ships a trained checkpoint as a lab model: public/models/<name>/ with model.json + weights,
 * config.json, tokenizer.json, card.json and loss.csv, and a readable card in data/model-cards/.
 *
 *   node --import tsx scripts/export-model.ts --checkpoint checkpoints/austen --name austen
 *
 * The card's continuations are generated from the exported files, loaded back through the same
 * loader the browser uses, so what the card shows is what the lab serves.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GPTConfig } from '../lib/gpt/config';
import { countParams, paramSpecs } from '../lib/gpt/params';
import { VALIDATION_RULE } from '../lib/train/corpus';
import { generateCached } from '../lib/gpt/generate';
import { loadModelDir, saveModelDir } from '../lib/gpt/node-io';

type LoadedModel = Awaited<ReturnType<typeof loadModelDir>>;
import { loadCheckpoint } from '../lib/train/checkpoint';

const PROMPTS = ['It is a truth universally acknowledged', 'Mr. Darcy', '"My dear Emma,'];
const SAMPLED = { temperature: 0.8, topK: 40, seed: 42 };
const NEW_TOKENS = 60;

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: export-model.ts --checkpoint DIR --name NAME (missing ${name})`);
  return process.argv[i + 1];
}

/** Continues `prompt` with the exported model (greedy when `sampling` is empty). */
async function continuation(loaded: LoadedModel, prompt: string, sampling: object): Promise<string> {
  const { model, tokenizer } = loaded;
  const ids = tokenizer.encode(prompt);
  for await (const r of generateCached(model, tokenizer, ids, { maxNewTokens: NEW_TOKENS, sampling })) {
    ids.push(r.id);
  }
  return tokenizer.decode(ids);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const ckDir = arg('--checkpoint');
  const name = arg('--name');
  const out = path.join('public', 'models', name);
  const ck = loadCheckpoint(ckDir);
  const summaryFile = path.join(ckDir, 'summary.json');
  const summary = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : null;
  const tokenizerJson = JSON.parse(fs.readFileSync('data/tokenizer/austen-bpe-768.json', 'utf8'));

  const weights = Object.fromEntries(paramSpecs(ck.meta.config).map(({ name: n, shape }) => [n, tf.tensor(ck.weights.get(n)!, shape)]));
  await saveModelDir(out, { config: ck.meta.config, weights }, tokenizerJson);
  tf.dispose(Object.values(weights));
  fs.copyFileSync(path.join(ckDir, 'loss.csv'), path.join(out, 'loss.csv'));

  const greedy: { prompt: string; text: string }[] = [];
  const sampled: { prompt: string; text: string }[] = [];
  // Loaded back through the browser's loader, once: the card shows what the lab serves.
  const loaded = await loadModelDir(out);
  for (const prompt of PROMPTS) {
    greedy.push({ prompt, text: await continuation(loaded, prompt, {}) });
    sampled.push({ prompt, text: await continuation(loaded, prompt, SAMPLED) });
  }
  tf.dispose(Object.values(loaded.model.weights));
  const card: Card = {
    name,
    architecture: 'GPT-2 (pre-LayerNorm, learned positions, tanh GELU, tied output head)',
    config: ck.meta.config,
    parameters: countParams(ck.meta.config),
    attention: ck.meta.config.nKvHead === ck.meta.config.nHead ? 'multi-head' : ck.meta.config.nKvHead === 1 ? 'multi-query' : 'grouped-query',
    corpus: 'Jane Austen, six novels (public domain; Project Gutenberg via Debian r-cran-janeaustenr 1.0.0-1)',
    split: VALIDATION_RULE.text,
    tokenizer: 'byte-level BPE, 768 tokens, trained on the training split (data/tokenizer/austen-bpe-768.json)',
    training: summary
      ? { steps: summary.steps, batchSize: summary.batchSize, tokensSeen: summary.tokensSeen, wallSeconds: summary.wallSeconds, machine: summary.machine, seed: summary.seed, init: summary.init }
      : { steps: ck.meta.step, note: 'exported from an intermediate checkpoint; no final evaluation yet' },
    loss: summary?.loss ?? null,
    charsPerToken: summary?.charsPerToken ?? null,
    continuations: { greedy, sampled: { settings: SAMPLED, items: sampled } },
  };
  fs.writeFileSync(path.join(out, 'card.json'), JSON.stringify(card, null, 2));
  fs.writeFileSync(path.join('data', 'model-cards', `${name}.md`), renderCard(card));
  console.log(`exported ${name} (step ${ck.meta.step}) to ${out}`);
}

interface Card {
  name: string;
  architecture: string;
  config: GPTConfig;
  parameters: number;
  attention: string;
  corpus: string;
  split: string;
  tokenizer: string;
  training: {
    steps: number;
    batchSize?: number;
    tokensSeen?: number;
    wallSeconds?: number;
    machine?: { cpu: string; cores: number; node: string; backend: string };
    seed?: number;
    init?: unknown;
    note?: string;
  };
  loss: Record<'trainPerToken' | 'trainPerChar' | 'valPerToken' | 'valPerChar' | 'unigramValPerToken' | 'unigramValPerChar', number> | null;
  charsPerToken: { train: number; val: number } | null;
  continuations: {
    greedy: { prompt: string; text: string }[];
    sampled: { settings: typeof SAMPLED; items: { prompt: string; text: string }[] };
  };
}

function renderCard(card: Card): string {
  const l = card.loss;
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `# Model card: \`${card.name}\``,
    '',
    `${card.architecture}; ${card.attention} attention.`,
    '',
    `| | |`,
    `|---|---|`,
    `| layers / heads / kv heads | ${card.config.nLayer} / ${card.config.nHead} / ${card.config.nKvHead} |`,
    `| embedding width, context, vocabulary | ${card.config.nEmbd}, ${card.config.blockSize}, ${card.config.vocabSize} |`,
    `| parameters | ${card.parameters.toLocaleString('en-US')} |`,
    `| corpus | ${card.corpus} |`,
    `| split | ${card.split} |`,
    `| tokenizer | ${card.tokenizer} |`,
    `| training | ${trainingLine(card)} |`,
    '',
  ];
  if (l) {
    lines.push(
      '| loss (nats) | per token | per character |',
      '|---|---|---|',
      `| training | ${f(l.trainPerToken)} | ${f(l.trainPerChar)} |`,
      `| validation | ${f(l.valPerToken)} | ${f(l.valPerChar)} |`,
      `| unigram baseline (validation) | ${f(l.unigramValPerToken)} | ${f(l.unigramValPerChar)} |`,
      '',
    );
  }
  lines.push('## Greedy continuations', '');
  for (const c of card.continuations.greedy) lines.push(`> ${c.text.replace(/\n/g, ' ')}`, '');
  lines.push(`## Sampled continuations (temperature ${SAMPLED.temperature}, top-k ${SAMPLED.topK}, seed ${SAMPLED.seed})`, '');
  for (const c of card.continuations.sampled.items) lines.push(`> ${c.text.replace(/\n/g, ' ')}`, '');
  return lines.join('\n');
}

function trainingLine(card: Card): string {
  const t = card.training;
  if (!t.batchSize || !t.machine || t.wallSeconds === undefined) return `${t.steps} steps (${t.note ?? 'intermediate'})`;
  const from = t.init ? ', continued from `austen` after mean-pooling its key/value heads' : '';
  return `${t.steps} steps × ${t.batchSize} × ${card.config.blockSize} tokens${from}, ${Math.round(t.wallSeconds / 60)} min on ${t.machine.cores} cores (${t.machine.cpu}), tfjs ${t.machine.backend}`;
}

main().catch((err: unknown) => {
  console.error(`export-model: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
