/**
 * Model sizes for the race and the bench: the trained `austen` model (the only one that writes text)
 * and two timing models with random weights (lib/gpt/timing-model.ts). Plain data, no tfjs.
 */
import type { GPTConfig } from '../gpt/config';
import { countParams } from '../gpt/param-specs';

export type ModelSize = 'austen' | '10m' | '85m';
export const MODEL_SIZES: readonly ModelSize[] = ['austen', '10m', '85m'];

/** What the page says about a timing model, word for word (issue 9). */
export const TIMING_MODEL_NOTE =
  'random weights, for timing only: the tokens are meaningless, and both generators must still choose the same ones';

/** The seed every timing model draws its weights from, so every device times the same model. */
export const TIMING_SEED = 1234;

export interface SizePreset {
  size: ModelSize;
  label: string;
  /** The label without "timing only", for sentences: "the ~11M (6 × 384) model". */
  short: string;
  /** null for austen: its shape comes from the shipped config.json. */
  config: GPTConfig | null;
  /** True when the weights are random (timing only). */
  timingOnly: boolean;
}

/** The lab's tokenizer has 768 tokens; every size uses it, so the same prompt works everywhere. */
const VOCAB = 768;

export const SIZE_PRESETS: Record<ModelSize, SizePreset> = {
  austen: { size: 'austen', label: 'austen (trained)', short: 'austen (trained)', config: null, timingOnly: false },
  // ~10× austen: 6 layers × 384, context 1,024.
  '10m': {
    size: '10m',
    label: '~11M (6 × 384), timing only',
    short: '~11M (6 × 384)',
    config: { nLayer: 6, nHead: 6, nKvHead: 6, nEmbd: 384, blockSize: 1024, vocabSize: VOCAB },
    timingOnly: true,
  },
  // GPT-2 small's blocks (12 × 768) with our 768-token vocabulary, context 1,024.
  '85m': {
    size: '85m',
    label: '~86M (12 × 768, GPT-2 small blocks), timing only',
    short: '~86M (12 × 768)',
    config: { nLayer: 12, nHead: 12, nKvHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: VOCAB },
    timingOnly: true,
  },
};

export class SizeError extends Error {
  override name = 'SizeError';
}

/** Parses a size name ("austen", "10m", "85m"; any case), or throws a SizeError listing the choices. */
export function parseSize(s: string): ModelSize {
  const v = s.trim().toLowerCase() as ModelSize;
  if (!MODEL_SIZES.includes(v)) throw new SizeError(`size must be one of ${MODEL_SIZES.join(', ')}, got "${s}"`);
  return v;
}

/** Parameter count of a timing preset (the tied head counted once). */
export function presetParams(size: Exclude<ModelSize, 'austen'>): number {
  return countParams(SIZE_PRESETS[size].config!);
}

/** Positions the page measures by default: short, middle, and the last the context allows. */
export function pagePositions(blockSize: number): number[] {
  return blockSize >= 1024 ? [16, 256, 512, blockSize - 24] : [16, 64, blockSize - 1];
}
