import { describe, expect, it } from 'vitest';
import { decodingLabel, READABLE_SAMPLING, samplingFor } from '@/lib/lessons/decoding';
import study from '@/data/sampling-study.json';

describe("the lessons' decoding settings", () => {
  it('greedy is no sampling options at all; sampled is the readable settings with the seed', () => {
    expect(samplingFor('greedy', 5)).toEqual({});
    expect(samplingFor('sampled', 5)).toEqual({ ...READABLE_SAMPLING, seed: 5 });
    expect(decodingLabel('sampled', 3)).toBe(
      `sampled: temperature ${READABLE_SAMPLING.temperature}, top-k ${READABLE_SAMPLING.topK}, seed 3`,
    );
  });

  it('the default follows the stated rule on the measured study: most real words among settings that never repeat a 4-gram', () => {
    const isDefault = (r: (typeof study.rows)[number]) =>
      r.sampling.temperature === READABLE_SAMPLING.temperature && 'topK' in r.sampling && r.sampling.topK === READABLE_SAMPLING.topK;
    const row = study.rows.find(isDefault)!;
    expect(row.samples).toBeGreaterThanOrEqual(30);
    expect(row.repeated4gramRate).toBe(0);
    const best = study.rows.filter((r) => r.repeated4gramRate === 0).sort((a, b) => b.realWordRate - a.realWordRate)[0];
    expect(best.label).toBe(row.label);
    const greedy = study.rows.find((r) => r.label === 'greedy')!;
    expect(greedy.repeated4gramRate).toBeGreaterThan(0.2); // why greedy is not the default
  });
});
