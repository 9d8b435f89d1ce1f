import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFetch, loadModelDir, saveModelDir } from '../../lib/gpt/node-io';
import { disposeWeights, WeightsError } from '../../lib/gpt/params';
import { loadModel, ModelLoadError, toFloat16Bits } from '../../lib/gpt/weights-io';
import { bytes, maxAbsDiff, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvlab-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const model = tinyModel({ nKvHead: 2, blockSize: 16 }, 6, 1);

async function sameWeights(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>): Promise<number> {
  let worst = 0;
  for (const name of Object.keys(a)) worst = Math.max(worst, maxAbsDiff(await a[name].data(), await b[name].data()));
  return worst;
}

describe('weights I/O', () => {
  it('round-trips float32 exactly, with config, tokenizer and byte progress', async () => {
    const d = join(dir, 'f32');
    await saveModelDir(d, model, bytes.toJSON());
    const progress: number[] = [];
    const { model: back, tokenizer, info } = await loadModelDir(d, (p) => progress.push(p.loaded / p.total));
    expect(back.config).toEqual(model.config);
    expect(tokenizer.vocabSize).toBe(256);
    expect(info.storage).toBe('float32');
    expect(await sameWeights(model.weights, back.weights)).toBe(0);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    disposeWeights(back.weights);
  });

  it('round-trips float16 within half precision and halves the file', async () => {
    const d = join(dir, 'f16');
    const s = await saveModelDir(d, model, bytes.toJSON(), { float16: true });
    expect(s.modelJson.weightsManifest[0].weights[0]).toMatchObject({ dtype: 'float32', quantization: { dtype: 'float16' } });
    const { model: back, info } = await loadModelDir(d);
    expect(info.storage).toBe('float16');
    expect(info.bytes).toBe((await readFile(join(d, 'group1-shard1of1.bin'))).length);
    const worst = await sameWeights(model.weights, back.weights);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3); // |w| < 1 here; half has 11 significant bits
    disposeWeights(back.weights);
  });

  it('encodes float16 bits exactly for known values', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
  });

  it('fails with a WeightsError naming a wrongly shaped tensor', async () => {
    const d = join(dir, 'badshape');
    await saveModelDir(d, model, bytes.toJSON());
    const mj = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    mj.weightsManifest[0].weights[4].shape = [32, 63];
    await writeFile(join(d, 'model.json'), JSON.stringify(mj));
    await expect(loadModelDir(d)).rejects.toThrow(WeightsError);
    await expect(loadModelDir(d)).rejects.toThrow(/"h\.0\.attn\.c_attn\.weight" has shape \[32,63\]/);
  });

  it('fails with a WeightsError naming a missing tensor', async () => {
    const d = join(dir, 'missing');
    await saveModelDir(d, model, bytes.toJSON());
    const mj = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    mj.weightsManifest[0].weights = mj.weightsManifest[0].weights.filter((w: { name: string }) => w.name !== 'ln_f.bias');
    await writeFile(join(d, 'model.json'), JSON.stringify(mj));
    await expect(loadModelDir(d)).rejects.toThrow(/missing tensor "ln_f\.bias"/);
  });

  it('a missing file gives a ModelLoadError naming it', async () => {
    await expect(loadModelDir(join(dir, 'nope'))).rejects.toThrow(ModelLoadError);
    await expect(loadModel(join(dir, 'nope'), fileFetch)).rejects.toThrow(/nope\/(config|tokenizer|model)\.json \(HTTP 404\)/);
    const failing = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(loadModel('https://example.invalid/m', failing)).rejects.toThrow(/Could not fetch .*Failed to fetch/);
  });
});
