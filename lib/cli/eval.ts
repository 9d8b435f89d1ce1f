/**
 * kvlab eval: next-token loss of a model on a text, through a chosen cache.
 *
 *   kvlab eval --model M --split val|train [--cache C] [--limit-chars N] [--windows N] [--mode decode|prefill]
 *              [--backend wasm|cpu] [--json]
 *   kvlab eval --model M --text-file F [--backend wasm|cpu] [--json]     (the plain, uncached textLoss)
 *
 * --split reads the Austen corpus the way training does (lib/train/corpus.ts: chapters unwrapped into
 * paragraphs, every 10th chapter to validation) and scores it in blockSize windows, token by token
 * through the cache (--mode decode, the default). Per character = per token × tokens / characters of
 * the text scored — the model card's method, so the full cache reproduces the card's figure.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { cachedLoss, textLoss } from '../gpt/evaluate';
import type { GPT } from '../gpt/forward';
import { loadModelDir } from '../gpt/node-io';
import { disposeWeights } from '../gpt/params';
import type { Tokenizer } from '../gpt/tokenizer';
import { loadAusten } from '../train/corpus';
import { encodeStream } from '../train/data';
import { type Flags, num, parse, str, UsageError } from '../../scripts/cli-args';
import { CACHE_HELP, parseCacheOption } from './cache-option';
import { modelDir, selectBackend } from './model-dir';

export const EVAL_HELP = `kvlab eval --model <name|dir> --split val|train [--cache C] [--limit-chars N] [--windows N]
                  [--mode decode|prefill] [--corpus DIR] [--backend wasm|cpu] [--json]
       kvlab eval --model <name|dir> --text-file F [--backend wasm|cpu] [--json]
         C: ${CACHE_HELP}`;

export async function runEval(args: string[]): Promise<void> {
  const f = parse(args, {
    model: { type: 'string' },
    'text-file': { type: 'string' },
    split: { type: 'string' },
    cache: { type: 'string' },
    'limit-chars': { type: 'string' },
    windows: { type: 'string' },
    mode: { type: 'string' },
    corpus: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (f.split === undefined) return evalTextFile(f);
  const split = str(f.split);
  if (split !== 'val' && split !== 'train') throw new UsageError(`--split must be val or train, got "${split}"`);
  const mode = str(f.mode) ?? 'decode';
  if (mode !== 'decode' && mode !== 'prefill') throw new UsageError(`--mode must be decode or prefill, got "${mode}"`);
  const limit = f['limit-chars'] === undefined ? undefined : num('limit-chars', str(f['limit-chars']), 0, { int: true, min: 1000 });
  const maxWindows = f.windows === undefined ? undefined : num('windows', str(f.windows), 0, { int: true, min: 1 });
  await selectBackend(str(f.backend) ?? 'wasm');
  const dir = modelDir(str(f.model));
  const { model, tokenizer } = await loadModelDir(dir);
  try {
    const corpus = loadAusten(str(f.corpus) ?? 'data/austen');
    const text = limit ? corpus[split].slice(0, limit) : corpus[split];
    const choice = await parseCacheOption(str(f.cache), model);
    if (mode === 'prefill' && choice.policy)
      throw new UsageError('--mode prefill reads each window in one pass: a policy needs --mode decode');
    const t0 = performance.now();
    const r = await scoreSplit(model, tokenizer, text, { ...choice, mode, maxWindows, progress: !f.json });
    const out = {
      model: str(f.model),
      split,
      cache: choice.label,
      mode,
      backend: tf.getBackend(),
      characters: text.length,
      limitChars: limit ?? null,
      ...r,
      seconds: (performance.now() - t0) / 1000,
    };
    if (f.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      process.stdout.write(
        `${out.model} ${split} (${text.length} characters${limit ? `, first ${limit}` : ''}), cache ` +
          `${choice.label}, ${mode}, ${out.backend}\n`,
      );
      process.stdout.write(`tokens scored ${r.tokens} in ${r.windows} windows of ${model.config.blockSize}\n`);
      process.stdout.write(`loss per token ${r.lossPerToken.toFixed(4)} nats, per character ${r.lossPerChar.toFixed(4)} nats\n`);
      process.stdout.write(
        `cache: ${r.bytesPerPosition.toFixed(1)} bytes per cached position, ${r.rowsHeld} positions and ${r.peakBytes} bytes at most\n`,
      );
    }
  } finally {
    disposeWeights(model.weights);
  }
}

/** Scores `text` through the cache; per character uses the whole text's characters per token, as the card does. */
async function scoreSplit(
  model: GPT,
  tokenizer: Tokenizer,
  text: string,
  o: Omit<Awaited<ReturnType<typeof parseCacheOption>>, 'label'> & { mode: 'decode' | 'prefill'; maxWindows?: number; progress: boolean },
) {
  const tokens = encodeStream(tokenizer, text);
  const charsPerToken = text.length / tokens.length;
  const r = await cachedLoss(model, tokens, {
    cacheKind: o.kind,
    policy: o.policy,
    mode: o.mode,
    maxWindows: o.maxWindows,
    onProgress: o.progress ? (done, total) => process.stderr.write(`\rwindow ${done}/${total}`) : undefined,
  });
  if (o.progress) process.stderr.write('\n');
  return { ...r, charsPerToken, lossPerChar: r.lossPerToken / charsPerToken };
}

async function evalTextFile(f: Flags): Promise<void> {
  const file = str(f['text-file']);
  if (!file) throw new UsageError('--split val|train or --text-file is required');
  if (f.cache !== undefined) throw new UsageError('--cache needs --split (a text file is scored without a cache)');
  await selectBackend(str(f.backend));
  const { model, tokenizer } = await loadModelDir(modelDir(str(f.model)));
  try {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new UsageError(`cannot read --text-file ${file}`);
    });
    const r = await textLoss(model, tokenizer, text);
    if (f.json) process.stdout.write(JSON.stringify(r) + '\n');
    else {
      process.stdout.write(`tokens ${r.tokens}, characters ${r.characters}\n`);
      process.stdout.write(`loss per token ${r.lossPerToken.toFixed(4)} nats, per character ${r.lossPerChar.toFixed(4)} nats\n`);
    }
  } finally {
    disposeWeights(model.weights);
  }
}
