import type { SamplingOptions } from '../gpt/sample';

/** How a lesson's generation picks tokens: seeded sampling (the default) or greedy. */
export type DecodingMode = 'sampled' | 'greedy';

/**
 * The lessons' default: temperature 0.7 with top-k 40, seeded. Chosen from measured samples
 * (scripts/sampling-study.ts → data/sampling-study.json, shown on the "One token at a time" page) by
 * one rule: the most words found in the training text among the settings that never repeated a word
 * 4-gram. Greedy writes more real words but loops; lower temperatures start to repeat; higher ones
 * and unfiltered sampling write more made-up words.
 */
export const READABLE_SAMPLING = { temperature: 0.7, topK: 40 } as const;

/** The seed a cell starts with; any integer gives a different but repeatable text. */
export const DEFAULT_SEED = 1;

/** The sampling options for a mode: empty (greedy) or the readable settings with `seed`. */
export function samplingFor(mode: DecodingMode, seed: number): SamplingOptions {
  return mode === 'greedy' ? {} : { ...READABLE_SAMPLING, seed };
}

/** Words for the current choice, for a cell's description. */
export function decodingLabel(mode: DecodingMode, seed: number): string {
  return mode === 'greedy'
    ? 'greedy (always the most likely token)'
    : `sampled: temperature ${READABLE_SAMPLING.temperature}, top-k ${READABLE_SAMPLING.topK}, seed ${seed}`;
}
