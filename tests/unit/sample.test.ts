import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/gpt/random';
import { argmax, keptIds, sampleToken, softmax } from '../../lib/gpt/sample';

const logits = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7) * 3);

describe('sampleToken', () => {
  it('greedy picks the argmax, lowest index on ties', () => {
    const r = sampleToken([1, 5, 5, 2], {}, createRng(0));
    expect(r.id).toBe(1);
    expect(r.rawProb).toBeCloseTo(Math.exp(5) / (Math.exp(1) + 2 * Math.exp(5) + Math.exp(2)), 10);
  });

  it('the same seed gives the same tokens, a different seed different ones', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 40 }, () => sampleToken(logits, { temperature: 1.5 }, rng).id);
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('top-k = 1 equals greedy at any temperature', () => {
    const rng = createRng(3);
    for (let i = 0; i < 20; i++) {
      const r = sampleToken(logits, { temperature: 2, topK: 1 }, rng);
      expect(r.id).toBe(argmax(logits));
      expect(r.prob).toBe(1);
    }
  });

  it('top-p keeps the smallest most-likely set whose probability reaches p', () => {
    const p = Float64Array.from([0.1, 0.4, 0.05, 0.3, 0.15]);
    expect(keptIds(p, undefined, 0.4)).toEqual([1]);
    expect(keptIds(p, undefined, 0.41)).toEqual([1, 3]);
    expect(keptIds(p, undefined, 0.7)).toEqual([1, 3]);
    expect(keptIds(p, undefined, 0.71)).toEqual([1, 3, 4]);
    expect(keptIds(p, 2, 0.99)).toEqual([1, 3]);
  });

  it('top-p sampling only ever draws kept tokens, with renormalised probabilities', () => {
    const rng = createRng(11);
    const kept = new Set(keptIds(softmax(logits), undefined, 0.5));
    for (let i = 0; i < 200; i++) {
      const r = sampleToken(logits, { temperature: 1, topP: 0.5 }, rng);
      expect(kept.has(r.id)).toBe(true);
      expect(r.prob).toBeGreaterThanOrEqual(r.rawProb);
    }
  });

  it('softmax subtracts the max: huge logits stay finite', () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5, 12);
    expect(p[2]).toBeGreaterThanOrEqual(0);
  });
});
