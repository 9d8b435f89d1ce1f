/**
 * Cache kinds as plain data, so a page can name one and the model thread can build it: a recipe
 * crosses the worker's message wall where a `make` function could not.
 */
import type { GPT } from '../gpt';
import type { CacheKind } from '../gpt/kvcache';

export type KindRecipe =
  { type: 'full' } | { type: 'quantized'; bits: 8 | 4; scheme: 'kivi' | 'token'; groupSize?: number } | { type: 'latent'; rank: number };

/** Build the cache kind a recipe names, for `model` (the latent kind factors its weights). */
export async function makeKind(recipe: KindRecipe, model: GPT): Promise<CacheKind> {
  switch (recipe.type) {
    case 'full':
      return (await import('../gpt/kvcache')).fullCache;
    case 'quantized':
      return (await import('../gpt/kvcache-quantized')).quantizedCache(recipe) as unknown as CacheKind;
    case 'latent':
      return (await import('../gpt/kvcache-latent')).latentCache(model, recipe.rank) as unknown as CacheKind;
  }
}
