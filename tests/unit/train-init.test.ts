import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GPTConfig } from '../../lib/gpt/config';
import { saveModelDir } from '../../lib/gpt/node-io';
import { initParamArrays, paramSpecs } from '../../lib/gpt/params';
import { forward } from '../../lib/gpt/forward';
import { crossEntropy } from '../../lib/gpt/loss';
import { loadTokenizer } from '../../lib/gpt/tokenizer';
import { saveCheckpoint } from '../../lib/train/checkpoint';
import { loadAusten } from '../../lib/train/corpus';
import { encodeStream, sampleBatch } from '../../lib/train/data';
import { loadInitSource } from '../../lib/train/init';

const root = path.resolve(__dirname, '../..');
const smoke = JSON.parse(fs.readFileSync(path.join(root, 'scripts/configs/smoke.json'), 'utf8'));
const tokenizerJson = JSON.parse(fs.readFileSync(path.join(root, smoke.tokenizer), 'utf8'));
const config: GPTConfig = { ...smoke.model, vocabSize: 768 };

function tensors(params: Map<string, Float32Array>): Record<string, tf.Tensor> {
  return Object.fromEntries(paramSpecs(config).map(({ name, shape }) => [name, tf.tensor(params.get(name)!, shape)]));
}

/** Runs the real training script and returns the train losses of its loss.csv. */
function train(configFile: string, out: string, extra: string[]): number[] {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--config', configFile, '--out', out, ...extra], {
    cwd: root,
    stdio: 'pipe',
  });
  return fs
    .readFileSync(path.join(out, 'loss.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[2]));
}

describe('starting a run from an exported model directory', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-init-'));
  const exported = path.join(tmp, 'exported');
  // Weights from another seed than the smoke config's, so a run that ignored init.from would differ.
  const params = initParamArrays(config, smoke.seed + 92);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const w = tensors(params);
    await saveModelDir(exported, { config, weights: w }, tokenizerJson);
    tf.dispose(Object.values(w));
  });

  it("reads the exported weights back bit for bit, through lib/gpt's loader, without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const src = await loadInitSource(exported);
    expect(tf.memory().numTensors).toBe(before);
    expect(src.kind).toBe('export');
    expect(src.config).toEqual(config);
    for (const { name } of paramSpecs(config))
      expect(Buffer.compare(Buffer.from(src.params.get(name)!.buffer), Buffer.from(params.get(name)!.buffer)), name).toBe(0);
  });

  it('still reads a training checkpoint, and says what it needs when the directory is neither', async () => {
    const w = tensors(params);
    await saveCheckpoint(path.join(tmp, 'ck'), { name: 'smoke', step: 3, config, elapsedSeconds: 1, tokensSeen: 10 }, w, null);
    tf.dispose(Object.values(w));
    const src = await loadInitSource(path.join(tmp, 'ck'));
    expect(src.kind).toBe('checkpoint');
    expect(Array.from(src.params.get('wte.weight')!.subarray(0, 8))).toEqual(Array.from(params.get('wte.weight')!.subarray(0, 8)));
    await expect(loadInitSource(tmp)).rejects.toThrow(/neither a checkpoint \(checkpoint\.json\) nor an exported model \(model\.json\)/);
  });

  it('trains from the exported weights (its first loss is theirs on batch 0), and resumes mid-run to the same losses', async () => {
    const cfgFile = path.join(tmp, 'from-export.json');
    fs.writeFileSync(cfgFile, JSON.stringify({ ...smoke, name: 'smoke-from-export', init: { from: exported } }));
    const fromExport = train(cfgFile, path.join(tmp, 'from-export'), ['--steps', '6']);
    expect(fromExport).toHaveLength(6);
    // The loss the script logged at step 1 is the exported model's loss on the run's first batch.
    const tokenizer = loadTokenizer(tokenizerJson);
    const text = loadAusten(path.join(root, smoke.corpus)).train.slice(0, smoke.charLimit);
    const b = sampleBatch(encodeStream(tokenizer, text), smoke.batchSize, config.blockSize, smoke.seed, 0);
    const w = tensors(params);
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(b.x, [b.B, config.blockSize], 'int32');
      const y = tf.tensor2d(b.y, [b.B, config.blockSize], 'int32');
      return crossEntropy(forward({ config, weights: w }, x, null).logits, y);
    });
    expect(fromExport[0]).toBeCloseTo((await loss.data())[0], 4);
    tf.dispose([loss, ...Object.values(w)]);
    const fresh = train(path.join(root, 'scripts/configs/smoke.json'), path.join(tmp, 'fresh'), ['--steps', '6']);
    expect(Math.abs(fresh[0] - fromExport[0])).toBeGreaterThan(1e-3); // the seeded init is another model
    const resumedDir = path.join(tmp, 'resumed');
    train(cfgFile, resumedDir, ['--steps', '6', '--stop-at', '3']);
    const resumed = train(cfgFile, resumedDir, ['--steps', '6', '--resume']);
    expect(resumed).toEqual(fromExport); // --resume takes the run's own checkpoint, not init.from again
  }, 180_000);
});
