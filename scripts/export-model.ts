/**
 * Ships a trained checkpoint as a lab model: public/models/<name>/ with model.json + weights,
 * config.json, tokenizer.json, card.json and loss.csv, and a readable card in data/model-cards/.
 *
 *   node --import tsx scripts/export-model.ts --checkpoint checkpoints/austen --name austen [--note "…"]
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
import { appendCurve } from '../lib/train/curve';

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
  // --note "…": a word on how the run went that the figures cannot say (e.g. a shared, loaded machine).
  const note = process.argv.includes('--note') ? arg('--note') : null;
  const out = path.join('public', 'models', name);
  const ck = loadCheckpoint(ckDir);
  const summaryFile = path.join(ckDir, 'summary.json');
  const summary = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : null;
  const tokenizerJson = JSON.parse(fs.readFileSync('data/tokenizer/austen-bpe-768.json', 'utf8'));
  // A run continued from the very model it replaces (init.from = public/models/<name>, no pooling):
  // its card and curve count both runs, so read the shipped ones before they are overwritten.
  const init = summary?.init as { from: string; meanPoolKvHeads?: number } | null | undefined;
  const continues = Boolean(init && !init.meanPoolKvHeads && path.resolve(init.from) === path.resolve(out));
  const previous = continues
    ? {
        card: JSON.parse(fs.readFileSync(path.join(out, 'card.json'), 'utf8')) as Card,
        csv: fs.readFileSync(path.join(out, 'loss.csv'), 'utf8'),
      }
    : null;

  const weights = Object.fromEntries(paramSpecs(ck.meta.config).map(({ name: n, shape }) => [n, tf.tensor(ck.weights.get(n)!, shape)]));
  await saveModelDir(out, { config: ck.meta.config, weights }, tokenizerJson);
  tf.dispose(Object.values(weights));
  const curve = fs.readFileSync(path.join(ckDir, 'loss.csv'), 'utf8');
  fs.writeFileSync(path.join(out, 'loss.csv'), previous ? appendCurve(previous.csv, curve) : curve);

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
    attention:
      ck.meta.config.nKvHead === ck.meta.config.nHead ? 'multi-head' : ck.meta.config.nKvHead === 1 ? 'multi-query' : 'grouped-query',
    corpus: 'Jane Austen, six novels (public domain; Project Gutenberg via Debian r-cran-janeaustenr 1.0.0-1)',
    split: VALIDATION_RULE.text,
    tokenizer: 'byte-level BPE, 768 tokens, trained on the training split (data/tokenizer/austen-bpe-768.json)',
    training: summary
      ? withPrevious(
          {
            steps: summary.steps,
            batchSize: summary.batchSize,
            tokensSeen: summary.tokensSeen,
            wallSeconds: summary.wallSeconds,
            machine: summary.machine,
            seed: summary.seed,
            init: summary.init,
            ...(note ? { note } : {}),
          },
          previous?.card.training ?? null,
        )
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
    /** A model trained in more than one run: each run's own figures, in order (the totals are above). */
    phases?: Card['training'][];
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
    ...(card.training.note && card.training.batchSize ? [`| note | ${card.training.note} |`] : []),
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

/** This run's training figures, or (continuing a shipped model) the totals of both runs with each run kept. */
function withPrevious(run: Card['training'], previous: Card['training'] | null): Card['training'] {
  if (!previous) return run;
  const earlier = previous.phases ?? [previous];
  const phases = [...earlier, run];
  const sum = (k: 'steps' | 'tokensSeen' | 'wallSeconds') => phases.reduce((n, p) => n + (p[k] ?? 0), 0);
  return { ...run, steps: sum('steps'), tokensSeen: sum('tokensSeen'), wallSeconds: sum('wallSeconds'), phases };
}

function trainingLine(card: Card): string {
  const t = card.training;
  if (!t.batchSize || !t.machine || t.wallSeconds === undefined) return `${t.steps} steps (${t.note ?? 'intermediate'})`;
  const init = t.init as { from: string; meanPoolKvHeads?: number } | null | undefined;
  const source = init ? `\`${path.basename(init.from)}\`` : '';
  const from = !init
    ? ''
    : init.meanPoolKvHeads
      ? `, continued from ${source} after mean-pooling its key/value heads`
      : `, continued from ${source}`;
  const head = `${t.steps} steps × ${t.batchSize} × ${card.config.blockSize} tokens`;
  const where = `${Math.round(t.wallSeconds / 60)} min on ${t.machine.cores} cores (${t.machine.cpu}), tfjs ${t.machine.backend}`;
  if (!t.phases) return `${head}${from}, ${where}`;
  const runs = t.phases.map((p, i) =>
    i === 0
      ? `${p.steps} from scratch (${Math.round((p.wallSeconds ?? 0) / 60)} min)`
      : `then ${p.steps} more from that model with a fresh optimizer and a new warm-up and cosine ` +
        `schedule (${Math.round((p.wallSeconds ?? 0) / 60)} min)`,
  );
  return `${head} in ${t.phases.length} runs: ${runs.join(', ')}; ${where} in all`;
}

main().catch((err: unknown) => {
  console.error(`export-model: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
