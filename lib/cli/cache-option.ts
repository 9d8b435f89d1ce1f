/** The --cache flag shared by kvlab eval and generate: lib/gpt's cache spelling, errors as one-line usage errors. */
import type { GPT } from '../gpt/forward';
import { CACHE_SPEC_HELP, type CacheChoice, CacheSpecError, parseCacheSpec } from '../gpt/kvcache-spec';
import { UsageError } from '../../scripts/cli-args';

export const CACHE_HELP = CACHE_SPEC_HELP;

/** Parses --cache (undefined = the full cache, no policy). */
export async function parseCacheOption(spec: string | undefined, model: GPT): Promise<CacheChoice> {
  if (spec === undefined) return { label: 'full' };
  try {
    return await parseCacheSpec(spec, model);
  } catch (err) {
    if (err instanceof CacheSpecError) throw new UsageError(`--cache ${err.message}`);
    throw err;
  }
}
