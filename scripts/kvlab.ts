/**
 * kvlab: the model core from the command line.
 *
 *   kvlab generate --model <name|dir> --prompt "…" [--tokens N] [--mode cached|naive] [--seed S]
 *                  [--temperature T] [--top-k K] [--top-p P] [--json] [--logits] [--backend cpu|wasm]
 *   kvlab eval     --model <name|dir> --text-file F [--backend cpu|wasm]
 *   kvlab bench    [--model name] [--backends cpu,wasm] [--repeats N] [--positions 16,32,…]
 *   kvlab serve    [--port N] [--lan] [--dir out] [--results file.jsonl]   (lib/cli/serve.ts)
 *
 * <name> means public/models/<name>/. Usage and model errors print one line and exit with code 2.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../lib/gpt/config';
import { EmptyPromptError, generateCached, generateNaive, preparePrompt, type StepRecord } from '../lib/gpt/generate';
import { textLoss } from '../lib/gpt/evaluate';
import { loadModelDir } from '../lib/gpt/node-io';
import { disposeWeights, WeightsError } from '../lib/gpt/params';
import type { Tokenizer } from '../lib/gpt/tokenizer';
import { ModelLoadError } from '../lib/gpt/weights-io';
import { runBench } from './bench';
import { num, parse, str, UsageError } from './cli-args';
import { runServe, SERVE_HELP } from '../lib/cli/serve';

const HELP = `usage: kvlab generate --model <name|dir> --prompt "text" [--tokens N] [--mode cached|naive] [--seed S]
                      [--temperature T] [--top-k K] [--top-p P] [--json] [--logits] [--backend cpu|wasm]
       kvlab eval --model <name|dir> --text-file F [--backend cpu|wasm]
       kvlab bench [--model name] [--backends cpu,wasm] [--repeats N] [--positions 16,32,64]
${SERVE_HELP}`;

/** A model name is public/models/<name>/; anything with a slash, or an existing directory, is a path. */
export function modelDir(model: string | undefined): string {
  if (!model) throw new UsageError('--model is required (a name under public/models/ or a directory)');
  if (model.includes('/') || model.includes('\\') || existsSync(model)) return resolve(model);
  const dir = resolve('public', 'models', model);
  if (!existsSync(join(dir, 'config.json'))) {
    throw new UsageError(`no model "${model}" at public/models/${model}/ — train one (npm run train) or pass a model directory to --model`);
  }
  return dir;
}

async function selectBackend(name: string | undefined): Promise<void> {
  const backend = name ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, got "${backend}"`);
  await tf.setBackend(backend);
  await tf.ready();
}


async function generate(args: string[]): Promise<void> {
  const f = parse(args, {
    model: { type: 'string' }, prompt: { type: 'string' }, tokens: { type: 'string' }, mode: { type: 'string' },
    seed: { type: 'string' }, temperature: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' },
    json: { type: 'boolean' }, logits: { type: 'boolean' }, backend: { type: 'string' },
  });
  const mode = str(f.mode) ?? 'cached';
  if (mode !== 'cached' && mode !== 'naive') throw new UsageError(`--mode must be cached or naive, got "${mode}"`);
  if (f.prompt === undefined) throw new UsageError('--prompt is required');
  const maxNewTokens = num('tokens', str(f.tokens), 50, { int: true, min: 1 });
  const sampling = {
    seed: num('seed', str(f.seed), 0, { int: true }),
    temperature: num('temperature', str(f.temperature), 0, { min: 0 }),
    topK: f['top-k'] === undefined ? undefined : num('top-k', str(f['top-k']), 0, { int: true, min: 1 }),
    topP: f['top-p'] === undefined ? undefined : num('top-p', str(f['top-p']), 1, { min: 1e-9, max: 1 }),
  };
  await selectBackend(str(f.backend));
  const dir = modelDir(str(f.model));
  const { model, tokenizer } = await loadModelDir(dir);
  try {
    const prompt = preparePrompt(tokenizer, str(f.prompt)!, model.config);
    if (prompt.notice) process.stderr.write(`kvlab: note: ${prompt.notice}\n`);
    const gen = mode === 'cached' ? generateCached : generateNaive;
    const steps: StepRecord[] = [];
    for await (const r of gen(model, tokenizer, prompt.ids, { maxNewTokens, sampling, returnLogits: !!f.logits })) {
      steps.push(r);
      if (!f.json) process.stdout.write(steps.length === 1 ? tokenizer.decode(prompt.ids) + r.text : r.text);
    }
    printGenerated(f, { model: str(f.model)!, mode, prompt, steps, tokenizer });
  } finally {
    disposeWeights(model.weights);
  }
}

function printGenerated(
  f: Record<string, string | boolean | undefined>,
  g: { model: string; mode: string; prompt: ReturnType<typeof preparePrompt>; steps: StepRecord[]; tokenizer: Tokenizer },
): void {
  const tokens = g.steps.map((s) => s.id);
  const stop = g.steps.at(-1)?.stopReason;
  if (!f.json) {
    process.stdout.write('\n');
    if (stop === 'blockSize') process.stderr.write('kvlab: note: stopped — the context (blockSize) is full.\n');
    return;
  }
  const out = {
    model: g.model,
    mode: g.mode,
    backend: tf.getBackend(),
    promptTokens: g.prompt.ids.length,
    truncated: g.prompt.truncated,
    tokens,
    text: g.tokenizer.decode(tokens),
    stopReason: stop,
    steps: g.steps.map((s) => ({
      ms: s.ms,
      processed: s.processed,
      cacheLength: s.cacheLength,
      cacheBytes: s.cacheBytes,
      ...(f.logits && s.logits ? { logits: Array.from(s.logits) } : {}),
    })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function evaluate(args: string[]): Promise<void> {
  const f = parse(args, { model: { type: 'string' }, 'text-file': { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } });
  const file = str(f['text-file']);
  if (!file) throw new UsageError('--text-file is required');
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

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'generate') return generate(rest);
  if (cmd === 'eval') return evaluate(rest);
  if (cmd === 'bench') return runBench(rest);
  if (cmd === 'serve') return runServe(rest);
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP + '\n');
    return;
  }
  throw new UsageError(`unknown command "${cmd}" (expected generate, eval, bench or serve)`);
}

// Quiets tfjs's "install tfjs-node" banner and skips its debug checks: this is a tool, not a test.
tf.enableProdMode();

const USER_ERRORS = [UsageError, ModelLoadError, WeightsError, ConfigError, EmptyPromptError];

main(process.argv.slice(2)).catch((err: Error) => {
  const user = USER_ERRORS.some((E) => err instanceof E);
  process.stderr.write(`kvlab: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (!user && process.env.KVLAB_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exit(user ? 2 : 1);
});
