/**
 * The model on disk (and on the web), under `public/models/<name>/`:
 *
 * - `model.json`: tfjs's standard weights manifest,
 *   `{ format, generatedBy, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name, shape, dtype }] }] }`.
 *   float16 storage uses tfjs's own quantization entry, `{ dtype: 'float32', quantization: { dtype: 'float16' } }`,
 *   because tf.io.decodeWeights (4.22) has no plain 'float16' dtype but does decode this one.
 * - `group1-shard1of1.bin`: the tensors' bytes, little-endian, in manifest order.
 * - `config.json`: GPT-2's config keys (see toHFConfig). `tokenizer.json`: see loadTokenizer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fromHFConfig, toHFConfig, type GPTConfig, type HFConfig } from './config';
import type { GPT } from './forward';
import { checkFiniteWeights, readManifest } from './manifest';
import {
  ModelFileError,
  ModelJsonError,
  ModelMissingError,
  ModelLoadError,
  REEXPORT_HINT,
  VocabSizeError,
  WeightsSizeError,
} from './model-errors';
import { checkWeights, countParams, paramSpecs, type Weights, WeightsError } from './params';
import { loadTokenizer, type Tokenizer } from './tokenizer';

export { ModelLoadError };

export const WEIGHTS_FILE = 'group1-shard1of1.bin';

export interface ModelJSON {
  format: string;
  generatedBy: string;
  convertedBy: null;
  weightsManifest: tf.io.WeightsManifestConfig;
}

export interface SerializedModel {
  modelJson: ModelJSON;
  bin: Uint8Array;
  configJson: HFConfig;
  tokenizerJson: unknown;
}

/** float32 → IEEE half bits, round to nearest even (overflow → ±Infinity, NaN kept). */
export function toFloat16Bits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000; // subnormal half: shift the full mantissa down
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++; // may carry into the exponent: still correct
  return sign | r;
}

/** Weights, config and tokenizer as the files of a model directory. Reads tensors with awaited data(). */
export async function serializeModel(model: GPT, tokenizerJson: unknown, opts: { float16?: boolean } = {}): Promise<SerializedModel> {
  const specs = paramSpecs(model.config);
  checkWeights(model.config, Object.fromEntries(Object.entries(model.weights).map(([n, t]) => [n, t.shape])));
  const parts: Uint8Array[] = [];
  const entries: tf.io.WeightsManifestEntry[] = [];
  for (const { name, shape } of specs) {
    const data = (await model.weights[name].data()) as Float32Array;
    if (opts.float16) {
      const half = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) half[i] = toFloat16Bits(data[i]);
      parts.push(new Uint8Array(half.buffer));
      entries.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      parts.push(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
      entries.push({ name, shape, dtype: 'float32' });
    }
  }
  const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((off, p) => (bin.set(p, off), off + p.length), 0);
  const modelJson: ModelJSON = {
    format: 'kvlab-gpt2-weights',
    generatedBy: 'kv-cache-lab',
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: entries }],
  };
  return { modelJson, bin, configJson: toHFConfig(model.config), tokenizerJson };
}

export interface LoadProgress {
  loaded: number;
  total: number;
}

export interface ModelInfo {
  baseUrl: string;
  config: GPTConfig;
  params: number;
  /** Bytes of weights downloaded, and how they were stored. */
  bytes: number;
  storage: 'float32' | 'float16';
}

type FetchFn = (url: string) => Promise<Response>;

const join = (base: string, file: string) => `${base.replace(/\/+$/, '')}/${file}`;

async function fetchOk(fetchFn: FetchFn, url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (err) {
    if (err instanceof ModelLoadError) throw err; // a file fetch's own, better message
    throw new ModelFileError(`Could not fetch ${url} (${(err as Error).message}). Check your connection and reload the page.`);
  }
  if (!res.ok) {
    const Missing = res.status === 404 || res.status === 410 ? ModelMissingError : ModelFileError;
    throw new Missing(
      `Could not load ${url} (HTTP ${res.status}). The model files may be missing: ` +
        'train one with `npm run train`, or check the model name.',
    );
  }
  return res;
}

async function fetchJson(fetchFn: FetchFn, url: string): Promise<unknown> {
  const res = await fetchOk(fetchFn, url);
  try {
    return await res.json();
  } catch {
    throw new ModelJsonError(`${url} is not valid JSON. ${REEXPORT_HINT}`);
  }
}

/** Reads a body chunk by chunk, reporting bytes so far (streams when the body is a ReadableStream). */
async function readBody(res: Response, onChunk: (n: number) => void): Promise<ArrayBuffer> {
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onChunk(buf.byteLength);
    return buf;
  }
  const chunks: Uint8Array[] = [];
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    onChunk(r.value.length);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((off, c) => (out.set(c, off), off + c.length), 0);
  return out.buffer;
}

/**
 * Loads a model directory from `baseUrl` (a URL in the browser; a directory via node-io's file fetch
 * in Node). Checks config.json, tokenizer.json and model.json (structure, names, shapes, dtypes, paths:
 * see manifest.ts) and every weight against the config before decoding, and the bytes after reading:
 * their count, and that every weight is finite.
 * Each problem is its own error class (model-errors.ts, ConfigError, TokenizerError, WeightsError).
 * The model's tensors belong to the caller (disposeWeights).
 */
export async function loadModel(
  baseUrl: string,
  fetchFn: FetchFn = (url) => fetch(url),
  onProgress?: (p: LoadProgress) => void,
): Promise<{ model: GPT; tokenizer: Tokenizer; info: ModelInfo }> {
  const [configJson, tokenizerJson, modelJson] = await Promise.all(
    ['config.json', 'tokenizer.json', 'model.json'].map((f) => fetchJson(fetchFn, join(baseUrl, f))),
  );
  const config = fromHFConfig(configJson);
  const tokenizer = loadTokenizer(tokenizerJson);
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new VocabSizeError(
      `tokenizer.json has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}: ` +
        `the two files come from different models. ${REEXPORT_HINT}`,
    );
  }
  const manifest = readManifest(modelJson);
  try {
    checkWeights(config, Object.fromEntries(manifest.entries.map((s) => [s.name, s.shape])));
  } catch (err) {
    if (!(err instanceof WeightsError)) throw err;
    throw new WeightsError(`model.json: ${err.message}, so the weights do not fit config.json. ${REEXPORT_HINT}`);
  }

  const total = manifest.bytes;
  let loaded = 0;
  onProgress?.({ loaded, total });
  const buffers: ArrayBuffer[] = [];
  for (const path of manifest.paths) {
    const res = await fetchOk(fetchFn, join(baseUrl, path));
    buffers.push(
      await readBody(res, (n) => {
        loaded += n;
        if (loaded > total) throw sizeError(manifest.paths, loaded, total); // stop reading a file that cannot fit
        onProgress?.({ loaded, total });
      }),
    );
  }
  if (loaded !== total) throw sizeError(manifest.paths, loaded, total);
  const joined = new Uint8Array(total);
  buffers.reduce((off, b) => (joined.set(new Uint8Array(b), off), off + b.byteLength), 0);
  checkFiniteWeights(manifest, joined);
  const weights = tf.io.decodeWeights(joined.buffer, manifest.entries) as Weights;
  return {
    model: { config, weights },
    tokenizer,
    info: { baseUrl, config, params: countParams(config), bytes: total, storage: manifest.storage },
  };
}

function sizeError(paths: string[], loaded: number, total: number): WeightsSizeError {
  const more = loaded > total ? `at least ${loaded}` : `${loaded}`;
  return new WeightsSizeError(
    `${paths.join(', ')} ${paths.length === 1 ? 'holds' : 'hold'} ${more} bytes but model.json's shapes and dtypes describe ${total}: ` +
      `the weights file is truncated or from another export. ${REEXPORT_HINT}`,
  );
}
