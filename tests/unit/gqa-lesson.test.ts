import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { textLoss } from '../../lib/gpt/evaluate';
import { disposeWeights } from '../../lib/gpt/params';
import { kvHeadOf, measureModel, parseValPassage } from '@/lib/lessons/gqa';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);

describe('GQA lesson helpers', () => {
  it('kvHeadOf groups consecutive query heads: 4→4 each its own, 4→2 pairs, 4→1 all on one', () => {
    expect(kvHeadOf(4, 4)).toEqual([0, 1, 2, 3]);
    expect(kvHeadOf(4, 2)).toEqual([0, 0, 1, 1]);
    expect(kvHeadOf(4, 1)).toEqual([0, 0, 0, 0]);
    expect(kvHeadOf(32, 8).slice(0, 9)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
    expect(() => kvHeadOf(4, 3)).toThrow(/must divide/);
  });

  for (const nKvHead of [4, 2, 1]) {
    it(
      `measureModel (${nKvHead} KV heads): loss equals textLoss, cache bytes per position equal the ` + `formula, no tensors left`,
      async () => {
        const model = tinyModel({ nKvHead, blockSize: 32 }, 3, 1);
        const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune.';
        const before = tf.memory().numTensors;
        const m = await measureModel(model, bytes, text);
        expect(tf.memory().numTensors).toBe(before);
        expect(m.lossPerChar).toBeCloseTo((await textLoss(model, bytes, text)).lossPerChar, 6);
        expect(m.cacheLength).toBe(31); // the prefill of blockSize − 1 prompt positions
        expect(m.cacheBytesPerToken).toBe(2 * 2 * nKvHead * 8 * 4);
        expect(m.formulaBytesPerToken).toBe(m.cacheBytesPerToken);
        disposeWeights(model.weights);
      },
    );
  }

  it('the shipped validation passage parses and is a few thousand characters', () => {
    const p = parseValPassage(JSON.parse(readFileSync('public/data/val-passage.json', 'utf8')));
    expect(p.source).toMatch(/validation split/);
    expect(p.text.length).toBeGreaterThan(2000);
    expect(() => parseValPassage({ nope: 1 })).toThrow(/does not hold a passage/);
  });
});
