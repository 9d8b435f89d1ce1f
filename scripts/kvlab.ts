/**
 * kvlab: the model core from the command line.
 *
 *   kvlab generate --model <name|dir> --prompt "…" [--tokens N] [--mode cached|naive] [--seed S]
 *                  [--temperature T] [--top-k K] [--top-p P] [--json] [--logits] [--backend wasm|cpu]
 *   kvlab eval     --model <name|dir> --split val|train [--cache C] … (see lib/cli/eval.ts)
 *   kvlab bench    [--size austen|10m|85m] [--backends cpu,wasm,webgpu] [--repeats N] [--warmup N]
 *                  [--processes N] [--positions 16,32,…] [--out file.json]
 *   kvlab size     (see lib/cli/size.ts)
 *   kvlab serve    [--port N] [--lan] [--dir out] [--results file.jsonl]   (lib/cli/serve.ts)
 *
 * <name> means public/models/<name>/; the backend is wasm unless --backend says cpu. Usage and model
 * errors print one line and exit with code 2; other failures exit 1 (KVLAB_DEBUG=1 adds the stack).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from '../lib/gpt/config';
import { EmptyPromptError, NonFiniteLogitsError } from '../lib/gpt/generate';
import { ModelLoadError } from '../lib/gpt/model-errors';
import { WeightsError } from '../lib/gpt/params';
import { TokenizerError } from '../lib/gpt/tokenizer';
import { GENERATE_HELP, runGenerate } from '../lib/cli/generate';
import { runBench } from '../lib/cli/bench';
import { EVAL_HELP, runEval } from '../lib/cli/eval';
import { PolicyError } from '../lib/gpt/kvcache-policy';
import { UsageError } from './cli-args';
import { SIZE_HELP, sizeCommand } from '../lib/cli/size';
import { runServe, SERVE_HELP } from '../lib/cli/serve';
import { ModelMemoryError } from '../lib/gpt/timing-model';

const BENCH_HELP =
  'kvlab bench [--size austen|10m|85m] [--backends cpu,wasm,webgpu] [--repeats N] [--warmup N] ' +
  '[--processes N] [--positions 16,32,64] [--out file.json]';
const HELP = `usage: ${GENERATE_HELP}
       ${EVAL_HELP}
       ${BENCH_HELP}
       ${SIZE_HELP}
${SERVE_HELP}`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'generate') return runGenerate(rest);
  if (cmd === 'eval') return runEval(rest);
  if (cmd === 'bench') return runBench(rest);
  if (cmd === 'serve') return runServe(rest);
  if (cmd === 'size') return void process.stdout.write(sizeCommand(rest) + '\n');
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP + '\n');
    return;
  }
  throw new UsageError(`unknown command "${cmd}" (expected generate, eval, bench, size or serve)`);
}

// Quiets tfjs's "install tfjs-node" banner and skips its debug checks: this is a tool, not a test.
tf.enableProdMode();

/** Mistakes in the command line or the model files, and a backend's invalid numbers: one line, exit 2. */
const USER_ERRORS = [
  UsageError,
  ModelLoadError,
  WeightsError,
  ConfigError,
  TokenizerError,
  EmptyPromptError,
  NonFiniteLogitsError,
  PolicyError,
  ModelMemoryError,
];

main(process.argv.slice(2)).catch((err: unknown) => {
  const user = USER_ERRORS.some((E) => err instanceof E);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kvlab: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (!user && process.env.KVLAB_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  process.exit(user ? 2 : 1);
});
