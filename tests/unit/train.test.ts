import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../lib/gpt/forward';
import { initParamArrays, paramSpecs } from '../../lib/gpt/params';
import { lrAt } from '../../lib/train/adamw';
import { sampleBatch, evalWindows } from '../../lib/train/data';
import { unigramLoss } from '../../lib/train/evaluate';
import { meanPoolKvHeads } from '../../lib/train/gqa';
import type { GPTConfig } from '../../lib/gpt/config';

const root = path.resolve(__dirname, '../..');

/** Runs the real training script on the smoke config and returns its loss.csv rows. */
function train(out: string, extra: string[] = []): { step: number; train: number; val: number | null }[] {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/train.ts', '--config', 'scripts/configs/smoke.json', '--out', out, ...extra],
    {
      cwd: root,
      stdio: 'pipe',
    },
  );
  return fs
    .readFileSync(path.join(out, 'loss.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [step, , trainLoss, val] = line.split(',');
      return { step: Number(step), train: Number(trainLoss), val: val ? Number(val) : null };
    });
}

describe('smoke training (the real script, wasm backend, tiny config)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-train-'));
  let rows: ReturnType<typeof train>;
  beforeAll(() => {
    rows = train(path.join(tmp, 'full'));
  }, 120_000);

  it('lowers the training and validation loss over 30 steps', () => {
    expect(rows).toHaveLength(30);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(rows.slice(0, 5).map((r) => r.train));
    const last = mean(rows.slice(-5).map((r) => r.train));
    expect(first).toBeGreaterThan(6.2); // starts near ln(768) = 6.64: an untrained model
    expect(last).toBeLessThan(first - 0.4);
    const vals = rows.filter((r) => r.val !== null).map((r) => r.val!);
    expect(vals.length).toBe(3);
    expect(vals[2]).toBeLessThan(vals[0]);
    const summary = JSON.parse(fs.readFileSync(path.join(tmp, 'full', 'summary.json'), 'utf8'));
    expect(summary.loss.valPerChar).toBeCloseTo(summary.loss.valPerToken / summary.charsPerToken.val, 10);
  });

  it('resumes from a checkpoint exactly where an unbroken run would be', () => {
    const out = path.join(tmp, 'resumed');
    train(out, ['--stop-at', '10']);
    const resumed = train(out, ['--resume']);
    const straight = rows;
    expect(resumed.map((r) => r.step)).toEqual(straight.map((r) => r.step));
    // The cosine schedule is fixed by the config's total steps, so steps 11..30 must match to the digit.
    expect(resumed.slice(10).map((r) => r.train)).toEqual(straight.slice(10).map((r) => r.train));
    const a = fs.readFileSync(path.join(tmp, 'full', 'weights.bin'));
    const b = fs.readFileSync(path.join(out, 'weights.bin'));
    expect(Buffer.compare(a, b)).toBe(0);
  }, 120_000);
});

describe('learning-rate schedule', () => {
  const c = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 1 };
  it('warms up linearly, peaks, then decays by cosine to minLr', () => {
    expect(lrAt(0, c)).toBeCloseTo(1e-4, 12);
    expect(lrAt(9, c)).toBeCloseTo(1e-3, 12);
    expect(lrAt(60, c)).toBeCloseTo((1e-3 + 1e-4) / 2, 12);
    expect(lrAt(110, c)).toBeCloseTo(1e-4, 12);
  });
});

describe('batches', () => {
  const tokens = Int32Array.from({ length: 1000 }, (_, i) => i % 97);
  it('targets are the inputs shifted by one, and a batch depends only on (seed, step)', () => {
    const b = sampleBatch(tokens, 4, 16, 3, 5);
    for (let r = 0; r < 4; r++) {
      for (let t = 0; t < 15; t++) expect(b.y[r * 16 + t]).toBe(b.x[r * 16 + t + 1]);
    }
    expect(sampleBatch(tokens, 4, 16, 3, 5)).toEqual(b);
    expect(sampleBatch(tokens, 4, 16, 3, 6).x).not.toEqual(b.x);
  });
  it('evaluation windows cover the stream without overlap', () => {
    const seen: number[] = [];
    for (const w of evalWindows(tokens, 3, 100)) seen.push(...w.x);
    expect(seen).toEqual(Array.from(tokens.subarray(0, 900)));
  });
});

describe('unigram baseline', () => {
  it('is ln(V) for uniformly used tokens', () => {
    const tokens = Int32Array.from({ length: 8000 }, (_, i) => i % 8);
    expect(unigramLoss(tokens, tokens, 8)).toBeCloseTo(Math.log(8), 3);
  });
});

describe('GQA conversion by mean-pooling key/value heads', () => {
  const from: GPTConfig = { nLayer: 2, nHead: 4, nKvHead: 4, nEmbd: 16, blockSize: 8, vocabSize: 20 };

  it('gives a model of the GQA shape that computes the same function when grouped heads were equal', async () => {
    await tf.setBackend('cpu');
    const params = initParamArrays(from, 11);
    // Make heads 0,1 and heads 2,3 share K and V, so pooling them loses nothing.
    const C = from.nEmbd;
    const hs = C / from.nHead;
    for (let i = 0; i < from.nLayer; i++) {
      for (const name of [`h.${i}.attn.c_attn.weight`, `h.${i}.attn.c_attn.bias`]) {
        const a = params.get(name)!;
        const rows = a.length / (3 * C);
        for (let r = 0; r < rows; r++) {
          for (const base of [C, 2 * C]) {
            for (const [dst, src] of [
              [1, 0],
              [3, 2],
            ]) {
              for (let d = 0; d < hs; d++) a[r * 3 * C + base + dst * hs + d] = a[r * 3 * C + base + src * hs + d];
            }
          }
        }
      }
    }
    const pooled = meanPoolKvHeads(from, params, 2);
    expect(pooled.config.nKvHead).toBe(2);
    const shapes = Object.fromEntries(paramSpecs(pooled.config).map((s) => [s.name, s.shape]));
    const tensors = (cfg: GPTConfig, p: Map<string, Float32Array>) =>
      Object.fromEntries(paramSpecs(cfg).map((s) => [s.name, tf.tensor(p.get(s.name)!, s.shape)]));
    // Every pooled array has exactly the element count its GQA shape needs.
    for (const [name, shape] of Object.entries(shapes)) {
      expect(pooled.params.get(name)!.length, name).toBe(shape.reduce((x, y) => x * y, 1));
    }
    const before = tf.memory().numTensors;
    const ids = tf.tensor2d([[1, 5, 7, 2, 9]], [1, 5], 'int32');
    const mha = tensors(from, params);
    const gqa = tensors(pooled.config, pooled.params);
    const a = forward({ config: from, weights: mha }, ids, null).logits;
    const b = forward({ config: pooled.config, weights: gqa }, ids, null).logits;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    expect((await diff.data())[0]).toBeLessThan(1e-5);
    tf.dispose([ids, a, b, diff, ...Object.values(mha), ...Object.values(gqa)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('averages the heads of each group', () => {
    const params = initParamArrays(from, 5);
    const pooled = meanPoolKvHeads(from, params, 1);
    const C = from.nEmbd;
    const hs = C / from.nHead;
    const bias = params.get('h.0.attn.c_attn.bias')!;
    const nb = pooled.params.get('h.0.attn.c_attn.bias')!;
    expect(nb.length).toBe(C + 2 * hs);
    const meanK0 = (bias[C] + bias[C + hs] + bias[C + 2 * hs] + bias[C + 3 * hs]) / 4;
    expect(nb[C]).toBeCloseTo(meanK0, 6);
    expect(Array.from(nb.subarray(0, C))).toEqual(Array.from(bias.subarray(0, C)));
  });
});
