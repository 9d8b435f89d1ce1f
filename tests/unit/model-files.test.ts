import * as tf from '@tensorflow/tfjs-core';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/gpt/config';
import { isSafePath } from '../../lib/gpt/manifest';
import {
  DtypeError,
  ManifestError,
  ManifestPathError,
  ModelFileError,
  ModelJsonError,
  ModelMissingError,
  ModelLoadError,
  NonFiniteWeightsError,
  ShapeError,
  VocabSizeError,
  WeightsSizeError,
} from '../../lib/gpt/model-errors';
import { loadModelDir, saveModelDir } from '../../lib/gpt/node-io';
import { disposeWeights, WeightsError } from '../../lib/gpt/params';
import { BpeTokenizer, TokenizerError } from '../../lib/gpt/tokenizer';
import { toFloat16Bits } from '../../lib/gpt/weights-io';
import { classifyModelError } from '../../lib/hooks/useModel';
import { bytes, maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

/**
 * Every way a model folder can be broken that we know of, each written into its own temp folder: the
 * loader must throw the typed error for that problem, with a message that names it and says what to do,
 * and leave no tensors behind.
 */

let root: string;
let good: string;
const model = tinyModel({ nLayer: 1, nHead: 2, nKvHead: 1, nEmbd: 8, blockSize: 8 }, 3, 1);

beforeAll(async () => {
  await useCpu();
  root = await mkdtemp(join(tmpdir(), 'kvlab-corrupt-'));
  good = join(root, 'good');
  await saveModelDir(good, model, bytes.toJSON());
});
afterAll(async () => {
  disposeWeights(model.weights);
  await rm(root, { recursive: true, force: true });
});

type Json = Record<string, unknown> & { weightsManifest: { paths: unknown[]; weights: Record<string, unknown>[] }[] };
const editJson = (file: string, edit: (j: Json) => unknown) => async (d: string) => {
  const j = JSON.parse(await readFile(join(d, file), 'utf8'));
  const out = edit(j);
  await writeFile(join(d, file), JSON.stringify(out === undefined ? j : out));
};
const manifest = (edit: (j: Json) => unknown) => editJson('model.json', edit);
const config = (edit: (j: Json) => unknown) => editJson('config.json', edit);
const weightsFile = (edit: (b: Buffer) => Buffer) => async (d: string) => {
  const p = join(d, 'group1-shard1of1.bin');
  await writeFile(p, edit(await readFile(p)));
};

const CASES: [string, (d: string) => Promise<void>, new (...a: never[]) => Error, RegExp][] = [
  [
    'model.json is not JSON',
    (d) => writeFile(join(d, 'model.json'), '{"weightsManifest": ['),
    ModelJsonError,
    /model\.json is not valid JSON\. Re-export/,
  ],
  ['model.json has no weightsManifest', manifest(() => ({ format: 'x' })), ManifestError, /no "weightsManifest" list/],
  [
    'a null manifest group',
    manifest((j) => void (j.weightsManifest[0] = null as never)),
    ManifestError,
    /weightsManifest\[0\] is null, not a group/,
  ],
  [
    'a null tensor entry',
    manifest((j) => void (j.weightsManifest[0].weights[2] = null as never)),
    ManifestError,
    /weightsManifest\[0\]\.weights\[2\] is null, not a tensor entry/,
  ],
  [
    'a string as a tensor entry',
    manifest((j) => void (j.weightsManifest[0].weights[0] = 'wte' as never)),
    ManifestError,
    /weights\[0\] is "wte", not a tensor entry/,
  ],
  [
    'a tensor without a name',
    manifest((j) => void (j.weightsManifest[0].weights[1].name = 42)),
    ManifestError,
    /weights\[1\] has name 42; each tensor needs its GPT-2 name/,
  ],
  [
    'a tensor listed twice',
    manifest((j) => void j.weightsManifest[0].weights.push(j.weightsManifest[0].weights[0])),
    ManifestError,
    /"wte\.weight" is listed twice/,
  ],
  [
    'a shape that is a number',
    manifest((j) => void (j.weightsManifest[0].weights.at(-1)!.shape = 8)),
    ShapeError,
    /"ln_f\.bias" has shape 8, which is not a list of non-negative integers/,
  ],
  ['a negative dimension', manifest((j) => void (j.weightsManifest[0].weights[0].shape = [-256, 8])), ShapeError, /shape \[-256,8\]/],
  ['a fractional dimension', manifest((j) => void (j.weightsManifest[0].weights[0].shape = [256, 7.5])), ShapeError, /shape \[256,7\.5\]/],
  ['a dimension as a string', manifest((j) => void (j.weightsManifest[0].weights[0].shape = ['256', 8])), ShapeError, /shape \["256",8\]/],
  [
    'dtype int32',
    manifest((j) => void (j.weightsManifest[0].weights[0].dtype = 'int32')),
    DtypeError,
    /"wte\.weight" has dtype "int32"; this lab reads float32 or float16 weights only/,
  ],
  [
    'uint8 quantization',
    manifest((j) => void (j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 })),
    DtypeError,
    /dtype "float32" quantized as "uint8"/,
  ],
  [
    'a path out of the folder',
    manifest((j) => void (j.weightsManifest[0].paths = ['../../../../etc/passwd'])),
    ManifestPathError,
    /path "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is not a file inside the model folder/,
  ],
  [
    'an absolute path',
    manifest((j) => void (j.weightsManifest[0].paths = ['/etc/passwd'])),
    ManifestPathError,
    /"\/etc\/passwd" is not a file inside/,
  ],
  [
    'a URL as a path',
    manifest((j) => void (j.weightsManifest[0].paths = ['https://example.com/w.bin'])),
    ManifestPathError,
    /"https:\/\/example\.com\/w\.bin"/,
  ],
  ['a percent-encoded ..', manifest((j) => void (j.weightsManifest[0].paths = ['%2e%2e/w.bin'])), ManifestPathError, /"%2e%2e\/w\.bin"/],
  [
    'a path that is not a string',
    manifest((j) => void (j.weightsManifest[0].paths = [null])),
    ManifestError,
    /paths\[0\] is null, not a file name/,
  ],
  ['a missing weights file', async (d) => rm(join(d, 'group1-shard1of1.bin')), ModelMissingError, /group1-shard1of1\.bin \(HTTP 404\)/],
  [
    'a truncated weights file',
    weightsFile((b) => b.subarray(0, b.length - 4)),
    WeightsSizeError,
    /group1-shard1of1\.bin holds \d+ bytes but model\.json's shapes and dtypes describe \d+: .*truncated/,
  ],
  ['a weights file too long', weightsFile((b) => Buffer.concat([b, Buffer.alloc(4)])), WeightsSizeError, /holds at least \d+ bytes/],
  [
    'a NaN weight',
    weightsFile((b) => (b.writeFloatLE(NaN, 4 * 300), b)),
    NonFiniteWeightsError,
    /tensor "wte\.weight" holds NaN \(element 300\), so the weights file is damaged/,
  ],
  [
    'an infinite weight, last of all',
    weightsFile((b) => (b.writeFloatLE(-Infinity, b.length - 4), b)),
    NonFiniteWeightsError,
    /tensor "ln_f\.bias" holds -Infinity \(element 7\)/,
  ],
  [
    'a tensor of the wrong shape',
    manifest((j) => void (j.weightsManifest[0].weights[0].shape = [8, 256])),
    WeightsError,
    /^model\.json: tensor "wte\.weight" has shape \[8,256\], expected \[256,8\], so the weights do not fit config\.json\. Re-export/,
  ],
  [
    'an unexpected tensor',
    manifest((j) => void j.weightsManifest[0].weights.push({ name: 'lm_head.weight', shape: [0], dtype: 'float32' })),
    WeightsError,
    /unexpected tensor "lm_head\.weight"/,
  ],
  ['config.json is null', config(() => null), ConfigError, /config\.json is null, not an object/],
  [
    'n_head as a string',
    config((j) => void (j.n_head = '2')),
    ConfigError,
    /"n_head" must be a positive integer, got "2"\. Fix config\.json/,
  ],
  ['n_layer of 0', config((j) => void (j.n_layer = 0)), ConfigError, /"n_layer" must be a positive integer, got 0/],
  ['n_embd not divisible by n_head', config((j) => void (j.n_embd = 9)), ConfigError, /n_embd \(9\) must be divisible by n_head \(2\)/],
  [
    'a ReLU activation',
    config((j) => void (j.activation_function = 'relu')),
    ConfigError,
    /"activation_function" is "relu", but the MLP uses GPT-2's tanh GELU/,
  ],
  [
    'another model type',
    config((j) => void (j.model_type = 'llama')),
    ConfigError,
    /"model_type" is "llama", but this lab runs GPT-2 models only/,
  ],
  ['another LayerNorm epsilon', config((j) => void (j.layer_norm_epsilon = 1e-6)), ConfigError, /"layer_norm_epsilon" is 0\.000001/],
  ['n_ctx unlike n_positions', config((j) => void (j.n_ctx = 16)), ConfigError, /n_ctx \(16\) must equal n_positions \(8\)/],
  [
    'tokenizer.json of an unknown type',
    editJson('tokenizer.json', () => ({ type: 'wordpiece' })),
    TokenizerError,
    /Unknown tokenizer type "wordpiece"/,
  ],
  [
    'tokenizer.json with a bad merge',
    editJson('tokenizer.json', () => ({ type: 'byte-bpe', version: 1, vocabSize: 257, pattern: 'a', merges: [[300, 1]] })),
    TokenizerError,
    /merges\[0\] = \[300, 1\] refers to a token not yet defined/,
  ],
  [
    'a tokenizer of another vocabulary',
    editJson('tokenizer.json', () => new BpeTokenizer([[104, 105]]).toJSON()),
    VocabSizeError,
    /tokenizer\.json has 257 tokens but config\.json says vocab_size 256/,
  ],
];

describe('a corrupt model folder gives one typed error per problem', () => {
  let n = 0;
  for (const [what, corrupt, ErrorClass, message] of CASES) {
    it(`${what} → ${ErrorClass.name}`, async () => {
      const d = join(root, `case-${n++}`);
      await cp(good, d, { recursive: true });
      await corrupt(d);
      const before = tf.memory().numTensors;
      const err = await loadModelDir(d).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(ErrorClass);
      expect(err!.name).toBe(ErrorClass.name); // the app maps errors by name (across the worker boundary)
      expect(err!.message).toMatch(message);
      expect(err!.message).not.toMatch(/\n/);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the app calls a missing file a network problem and every other problem broken files', () => {
    expect(classifyModelError(new ModelFileError('gone')).kind).toBe('network');
    expect(classifyModelError(new ModelMissingError('HTTP 404')).kind).toBe('missing');
    for (const E of [
      ModelJsonError,
      ManifestError,
      ShapeError,
      DtypeError,
      ManifestPathError,
      WeightsSizeError,
      NonFiniteWeightsError,
      VocabSizeError,
      ConfigError,
      TokenizerError,
      WeightsError,
    ]) {
      expect(classifyModelError(new E('x')), E.name).toEqual({ kind: 'weights', message: 'The model files do not fit together: x' });
    }
  });

  it('every file-level class is a ModelLoadError, so one catch covers them', () => {
    for (const E of [
      ModelFileError,
      ModelJsonError,
      ManifestError,
      ShapeError,
      DtypeError,
      ManifestPathError,
      WeightsSizeError,
      NonFiniteWeightsError,
      VocabSizeError,
    ]) {
      expect(new E('x')).toBeInstanceOf(ModelLoadError);
    }
  });
});

describe('what the loader accepts', () => {
  it('reads a plain "float16" dtype as half precision, decoded to float32', async () => {
    const d = join(root, 'plain-f16');
    await cp(good, d, { recursive: true });
    const j = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    const f32 = new Float32Array(new Uint8Array(await readFile(join(d, 'group1-shard1of1.bin'))).buffer);
    const half = Uint16Array.from(f32, toFloat16Bits);
    for (const w of j.weightsManifest[0].weights) w.dtype = 'float16';
    await writeFile(join(d, 'model.json'), JSON.stringify(j));
    await writeFile(join(d, 'group1-shard1of1.bin'), new Uint8Array(half.buffer));
    const { model: back, info } = await loadModelDir(d);
    expect(info.storage).toBe('float16');
    expect(back.weights['wte.weight'].dtype).toBe('float32');
    const worst = maxAbsDiff(await model.weights['wte.weight'].data(), await back.weights['wte.weight'].data());
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
    disposeWeights(back.weights);
  });

  it('finds a half-precision Infinity too', async () => {
    const d = join(root, 'f16-inf');
    await saveModelDir(d, model, bytes.toJSON(), { float16: true });
    const bin = await readFile(join(d, 'group1-shard1of1.bin'));
    bin.writeUInt16LE(0x7c00, 2 * 5); // +Infinity in half precision, wte.weight element 5
    await writeFile(join(d, 'group1-shard1of1.bin'), bin);
    await expect(loadModelDir(d)).rejects.toThrow(/tensor "wte\.weight" holds NaN or Infinity \(element 5\)/);
  });

  it('takes plain relative file names, in subfolders too, and nothing else', () => {
    for (const ok of ['group1-shard1of1.bin', 'shards/a_1.bin', 'w.v2.bin']) expect(isSafePath(ok)).toBe(true);
    for (const bad of ['', '.', '..', 'a/../b', './w.bin', '/w.bin', 'a//b', 'C:\\w.bin', 'a\\..\\b', 'w.bin?x=1', 'file:w.bin']) {
      expect(isSafePath(bad), bad).toBe(false);
    }
  });
});
