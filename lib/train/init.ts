import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from '../gpt/config';
import { loadModelDir } from '../gpt/node-io';
import { paramSpecs } from '../gpt/params';
import { loadCheckpoint } from './checkpoint';

/** Where a run starts from: the parameter arrays and config of an earlier run. */
export interface InitSource {
  config: GPTConfig;
  params: Map<string, Float32Array>;
  /** 'checkpoint' (checkpoints/<name>/) or 'export' (a public/models/<name>/ directory). */
  kind: 'checkpoint' | 'export';
}

/**
 * Reads the starting weights of a run from `dir`: a training checkpoint (checkpoint.json) or an
 * exported model directory (model.json), which is what ships when the checkpoints are gone. The export
 * goes through lib/gpt's own loader, so its names and shapes are checked the way the browser checks
 * them. Optimizer state is never carried over: a run started from here gets a fresh AdamW and its own
 * warm-up. Needs a tfjs backend set (the loader decodes into tensors, read back and disposed here).
 */
export async function loadInitSource(dir: string): Promise<InitSource> {
  if (fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    const ck = loadCheckpoint(dir);
    return { config: ck.meta.config, params: ck.weights, kind: 'checkpoint' };
  }
  if (!fs.existsSync(path.join(dir, 'model.json'))) {
    throw new Error(`init.from ${dir} is neither a checkpoint (checkpoint.json) nor an exported model (model.json)`);
  }
  const { model } = await loadModelDir(dir);
  const params = new Map<string, Float32Array>();
  try {
    for (const { name } of paramSpecs(model.config)) {
      // float16 exports decode to float32 tensors, so every array here is float32.
      params.set(name, Float32Array.from(await model.weights[name].data()));
    }
  } finally {
    tf.dispose(Object.values(model.weights));
  }
  return { config: model.config, params, kind: 'export' };
}
