/** kvlab generate's --cache and --block-size: the generator to run for a cache choice. */
import type { GPT } from '../gpt/forward';
import { generateCached, type GenerateOptions, type StepRecord } from '../gpt/generate';
import { generatePaged } from '../gpt/generate-paged';
import type { Tokenizer } from '../gpt/tokenizer';
import { type Flags, num, str, UsageError } from '../../scripts/cli-args';
import { CACHE_HELP, parseCacheOption } from './cache-option';

export const GENERATE_CACHE_FLAGS = { cache: { type: 'string' }, 'block-size': { type: 'string' } } as const;
export const GENERATE_CACHE_HELP = `[--cache paged [--block-size 16] | ${CACHE_HELP}]`;

type Generator = (model: GPT, tokenizer: Tokenizer, ids: readonly number[], opts: GenerateOptions) => AsyncGenerator<StepRecord>;

/**
 * The generator for --cache (undefined when the flag is absent). 'paged' decodes through the block
 * pool (one sequence); any other choice is generateCached with that cache kind and policy.
 */
export async function cacheGenerator(f: Flags, mode: string, model: GPT): Promise<{ gen: Generator; label: string } | undefined> {
  const spec = str(f.cache);
  if (spec === undefined) {
    if (f['block-size'] !== undefined) throw new UsageError('--block-size needs --cache paged');
    return undefined;
  }
  if (mode !== 'cached') throw new UsageError('--cache needs --mode cached (the naive generator keeps no cache)');
  if (spec === 'paged') {
    const blockSize = num('block-size', str(f['block-size']), 16, { int: true, min: 1 });
    const gen: Generator = async function* (m, tok, ids, opts) {
      for await (const r of generatePaged(m, tok, [ids], { ...opts, blockSize })) yield r;
    };
    return { gen, label: `paged/${blockSize}` };
  }
  if (f['block-size'] !== undefined) throw new UsageError('--block-size needs --cache paged');
  const choice = await parseCacheOption(spec, model);
  const gen: Generator = (m, tok, ids, opts) => generateCached(m, tok, ids, { ...opts, cacheKind: choice.kind, policy: choice.policy });
  return { gen, label: choice.label };
}
