/** The --cache flag shared by kvlab eval and generate: which cache kind, and which eviction policy. */
import type { GPT } from '../gpt/forward';
import type { CacheKind } from '../gpt/kvcache';
import { latentCache } from '../gpt/kvcache-latent';
import { type CachePolicy, parsePolicy, PolicyError, policyName } from '../gpt/kvcache-policy';
import { quantizedCache } from '../gpt/kvcache-quantized';
import { UsageError } from '../../scripts/cli-args';

export const CACHE_HELP =
  'full | int8 | int4 (KIVI) | int8-token | int4-token | latent:R | window:W | sinks:S+window:W | h2o:B[/recent], ' +
  'or a kind and a policy joined by a comma (int8-token,window:64)';

export interface CacheChoice {
  kind?: CacheKind;
  policy?: CachePolicy;
  /** The spelling back, normalised: 'full', 'int8', 'latent:16', 'window:64', 'int8-token,h2o:64'. */
  label: string;
}

/** A kind's spelling → the kind (null when `s` is not a kind). Latent kinds factor the model's weights. */
async function parseKind(s: string, model: GPT): Promise<CacheKind | null> {
  if (s === 'full') return null;
  const q = /^int(8|4)(-token)?$/.exec(s);
  if (q) return quantizedCache({ bits: Number(q[1]) as 8 | 4, scheme: q[2] ? 'token' : 'kivi' }) as CacheKind;
  const l = /^latent:(\S+)$/.exec(s);
  if (l) {
    const r = Number(l[1]);
    try {
      return (await latentCache(model, r)) as unknown as CacheKind;
    } catch (err) {
      throw new UsageError(`--cache ${s}: ${(err as Error).message}`);
    }
  }
  throw new UsageError(`--cache: unknown cache "${s}" (expected ${CACHE_HELP})`);
}

/** Parses --cache (undefined = the full cache, no policy). Bad spellings throw a one-line UsageError. */
export async function parseCacheOption(spec: string | undefined, model: GPT): Promise<CacheChoice> {
  if (spec === undefined || spec === 'full') return { label: 'full' };
  let policy: CachePolicy | undefined;
  let kind: CacheKind | null = null;
  for (const part of spec.split(',')) {
    let p: CachePolicy | null;
    try {
      p = parsePolicy(part);
    } catch (err) {
      throw new UsageError(`--cache ${part}: ${(err as PolicyError).message}`);
    }
    if (p && policy) throw new UsageError('--cache: at most one policy (window, sinks or h2o)');
    if (p) policy = p;
    else if (kind) throw new UsageError('--cache: at most one kind (full, int8, int4, …, latent:R)');
    else kind = await parseKind(part, model);
  }
  if (policy && kind && !kind.keep) {
    throw new UsageError(`--cache: the ${kind.name} cache cannot evict single positions (KIVI's key groups span tokens); use ${kind.name}-token`);
  }
  const label = [kind?.name, policy && policyName(policy)].filter(Boolean).join(',') || 'full';
  return { ...(kind ? { kind } : {}), ...(policy ? { policy } : {}), label };
}
