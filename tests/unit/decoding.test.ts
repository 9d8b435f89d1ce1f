import { describe, expect, it } from 'vitest';
import { decodingLabel, READABLE_SAMPLING, samplingFor } from '@/lib/lessons/decoding';
import { RACE_SAMPLING } from '@/lib/lessons/measure';
import study from '@/data/sampling-study.json';

describe('the lessons\' decoding settings', () => {
  it('greedy is no sampling options at all; sampled is the readable settings with the seed', () => {
    expect(samplingFor('greedy', 5)).toEqual({});
    expect(samplingFor('sampled', 5)).toEqual({ temperature: 0.8, topK: 40, seed: 5 });
    expect(decodingLabel('sampled', 3)).toBe('sampled: temperature 0.8, top-k 40, seed 3');
  });

  it('the race samples from the same distribution as the lessons', () => {
    expect(RACE_SAMPLING).toEqual(READABLE_SAMPLING);
  });

  it('the default was measured: the study has its row, which repeats no more than greedy and writes real words', () => {
    const row = study.rows.find((r) => r.sampling.temperature === 0.8 && 'topK' in r.sampling && r.sampling.topK === 40)!;
    const greedy = study.rows.find((r) => r.label === 'greedy')!;
    const unfiltered = study.rows.find((r) => r.label === 'temperature 1.0, no filter')!;
    expect(row.samples).toBeGreaterThanOrEqual(30);
    expect(row.repeated4gramRate).toBeLessThan(greedy.repeated4gramRate);
    expect(row.realWordRate).toBeGreaterThan(unfiltered.realWordRate);
  });
});
