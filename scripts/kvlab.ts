/**
 * kvlab: the model core from the command line.
 *
 *   kvlab generate --model <name|dir> --prompt "…" [--tokens N] [--mode cached|naive] [--seed S]
 *                  [--temperature T] [--top-k K] [--top-p P] [--json] [--logits] [--backend wasm|cpu]
 *   kvlab eval     --model <name|dir> --text-file F [--backend wasm|cpu]
 *   kvlab bench    [--model name] [--backends cpu,wasm] [--repeats N] [--positions 16,32,…]
 *
 * <name> means public/models/<name>/; the backend is wasm unless --backend says cpu. Usage and model
 * errors print one line and exit with code 2; other failures exit 1 (KVLAB_DEBUG=1 adds the stack).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../lib/gpt/config';
import { EmptyPromptError, NonFiniteLogitsError } from '../lib/gpt/generate';
import { textLoss } from '../lib/gpt/evaluate';
import { ModelLoadError } from '../lib/gpt/model-errors';
import { loadModelDir } from '../lib/gpt/node-io';
import { disposeWeights, WeightsError } from '../lib/gpt/params';
import { TokenizerError } from '../lib/gpt/tokenizer';
import { GENERATE_HELP, runGenerate } from '../lib/cli/generate';
import { modelDir, selectBackend } from '../lib/cli/model-dir';
import { runBench } from './bench';
import { parse, str, UsageError } from './cli-args';

const HELP = `usage: ${GENERATE_HELP}
       kvlab eval --model <name|dir> --text-file F [--backend wasm|cpu]
       kvlab bench [--model name] [--backends cpu,wasm] [--repeats N] [--positions 16,32,64]`;

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
  if (cmd === 'generate') return runGenerate(rest);
  if (cmd === 'eval') return evaluate(rest);
  if (cmd === 'bench') return runBench(rest);
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP + '\n');
    return;
  }
  throw new UsageError(`unknown command "${cmd}" (expected generate, eval or bench)`);
}

// Quiets tfjs's "install tfjs-node" banner and skips its debug checks: this is a tool, not a test.
tf.enableProdMode();

/** Mistakes in the command line or the model files, and a backend's invalid numbers: one line, exit 2. */
const USER_ERRORS = [UsageError, ModelLoadError, WeightsError, ConfigError, TokenizerError, EmptyPromptError, NonFiniteLogitsError];

main(process.argv.slice(2)).catch((err: unknown) => {
  const user = USER_ERRORS.some((E) => err instanceof E);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kvlab: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (!user && process.env.KVLAB_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  process.exit(user ? 2 : 1);
});
