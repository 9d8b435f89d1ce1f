/**
 * kvlab generate: continue a prompt with a model, cached or naive, printing the text as it comes
 * (or, with --json, the tokens and each step's timing, cache size and optionally logits).
 */
import * as tf from '@tensorflow/tfjs-core';
import { generateCached, generateNaive, type PreparedPrompt, preparePrompt, type StepRecord } from '../gpt/generate';
import { loadModelDir } from '../gpt/node-io';
import { disposeWeights } from '../gpt/params';
import type { Tokenizer } from '../gpt/tokenizer';
import { createTextStream } from '../gpt/tokenizer-stream';
import { type Flags, num, parse, str, UsageError } from '../../scripts/cli-args';
import { cacheGenerator, GENERATE_CACHE_FLAGS, GENERATE_CACHE_HELP } from './generate-cache';
import { modelDir, selectBackend } from './model-dir';

export const GENERATE_HELP = `kvlab generate --model <name|dir> --prompt "text" [--tokens N] [--mode cached|naive] [--seed S]
                      [--temperature T] [--top-k K] [--top-p P] [--json] [--logits] [--backend wasm|cpu]
                      ${GENERATE_CACHE_HELP}`;

export async function runGenerate(args: string[]): Promise<void> {
  const f = parse(args, {
    model: { type: 'string' },
    prompt: { type: 'string' },
    tokens: { type: 'string' },
    mode: { type: 'string' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    json: { type: 'boolean' },
    logits: { type: 'boolean' },
    backend: { type: 'string' },
    ...GENERATE_CACHE_FLAGS,
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
  const { model, tokenizer } = await loadModelDir(modelDir(str(f.model)));
  try {
    const prompt = preparePrompt(tokenizer, str(f.prompt)!, model.config);
    if (prompt.notice) process.stderr.write(`kvlab: note: ${prompt.notice}\n`);
    const withCache = await cacheGenerator(f, mode, model);
    const gen = withCache?.gen ?? (mode === 'cached' ? generateCached : generateNaive);
    // Text mode prints each token as it comes, holding back the bytes of a character split across tokens.
    const text = f.json ? null : createTextStream(tokenizer);
    if (text) process.stdout.write(prompt.ids.map((id) => text.push(id)).join(''));
    const steps: StepRecord[] = [];
    for await (const r of gen(model, tokenizer, prompt.ids, { maxNewTokens, sampling, returnLogits: !!f.logits })) {
      steps.push(r);
      if (text) process.stdout.write(text.push(r.id));
    }
    if (text) process.stdout.write(text.flush() + '\n');
    if (text && steps.at(-1)?.stopReason === 'blockSize') process.stderr.write('kvlab: note: stopped — the context (blockSize) is full.\n');
    if (f.json) printJson(f, { model: str(f.model)!, mode: withCache ? `cached:${withCache.label}` : mode, prompt, steps, tokenizer });
  } finally {
    disposeWeights(model.weights);
  }
}

function printJson(f: Flags, g: { model: string; mode: string; prompt: PreparedPrompt; steps: StepRecord[]; tokenizer: Tokenizer }): void {
  const tokens = g.steps.map((s) => s.id);
  const out = {
    model: g.model,
    mode: g.mode,
    backend: tf.getBackend(),
    promptTokens: g.prompt.ids.length,
    promptIds: g.prompt.ids,
    truncated: g.prompt.truncated,
    tokens,
    text: g.tokenizer.decode(tokens),
    stopReason: g.steps.at(-1)?.stopReason,
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
