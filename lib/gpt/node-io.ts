/**
 * Node-only model I/O: read and write a model directory on disk. Never imported by the browser bundle
 * (index.ts does not re-export it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GPT } from './forward';
import { ModelFileError } from './model-errors';
import { loadModel, type LoadProgress, serializeModel, WEIGHTS_FILE } from './weights-io';

/** A fetch over the file system: paths in, Responses out (404 for a missing file, as a web server says). */
export async function fileFetch(path: string): Promise<Response> {
  try {
    return new Response(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new Response(null, { status: 404 });
    throw new ModelFileError(`Could not read ${path} (${code ?? (err as Error).message}). Check that it is a readable file.`);
  }
}

/** Loads a model directory from disk. */
export function loadModelDir(dir: string, onProgress?: (p: LoadProgress) => void) {
  return loadModel(dir, fileFetch, onProgress);
}

/** Writes model.json, the weights, config.json and tokenizer.json into `dir` (created if needed). */
export async function saveModelDir(dir: string, model: GPT, tokenizerJson: unknown, opts: { float16?: boolean } = {}) {
  const s = await serializeModel(model, tokenizerJson, opts);
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'model.json'), JSON.stringify(s.modelJson, null, 1)),
    writeFile(join(dir, WEIGHTS_FILE), s.bin),
    writeFile(join(dir, 'config.json'), JSON.stringify(s.configJson, null, 2)),
    writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson)),
  ]);
  return s;
}
