/** Model and backend flags shared by the kvlab subcommands. */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../scripts/cli-args';

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

/**
 * cpu or wasm (the backends registered by the kvlab entry point); wasm when not given, because it is
 * the fast one in Node: `eval` on 50 kB took 6.8 s on wasm against 132.6 s on cpu (issue 10).
 */
export async function selectBackend(name: string | undefined): Promise<void> {
  const backend = name ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, got "${backend}"`);
  await tf.setBackend(backend);
  await tf.ready();
}
