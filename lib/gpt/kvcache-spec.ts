import type { GPT } from './forward';
import type { CacheKind } from './kvcache';
import { latentCache } from './kvcache-latent';
import { type CachePolicy, parsePolicy, policyName } from './kvcache-policy';
import { quantizedCache } from './kvcache-quantized';
import { staticCache, staticCapacity } from './kvcache-static';

/**
 * Cache choices by name, as the CLI and the lessons spell them: a kind (full, static, int8, int4,
 * int8-token, int4-token, latent:R), a policy (window:W, sinks:S+window:W, h2o:B[/recent]), or a kind and a
 * policy joined by a comma (int8-token,window:64).
 */
export const CACHE_SPEC_HELP =
  'full | static | int8 | int4 (KIVI) | int8-token | int4-token | latent:R | window:W | sinks:S+window:W | h2o:B[/recent], ' +
  'or a kind and a policy joined by a comma (int8-token,window:64)';

export class CacheSpecError extends Error {
  override name = 'CacheSpecError';
}

export interface CacheChoice {
  /** Absent for the full cache. */
  kind?: CacheKind;
  policy?: CachePolicy;
  /** The spelling back, normalised: 'full', 'int8', 'latent:16', 'window:64', 'int8-token,h2o:64'. */
  label: string;
}

async function parseKind(s: string, model: GPT): Promise<CacheKind | null> {
  if (s === 'full') return null;
  if (s === 'static') return staticCache(model.config.blockSize) as unknown as CacheKind;
  const q = /^int(8|4)(-token)?$/.exec(s);
  if (q) return quantizedCache({ bits: Number(q[1]) as 8 | 4, scheme: q[2] ? 'token' : 'kivi' }) as CacheKind;
  const l = /^latent:(\S+)$/.exec(s);
  if (l) {
    try {
      return (await latentCache(model, Number(l[1]))) as unknown as CacheKind;
    } catch (err) {
      throw new CacheSpecError(`${s}: ${(err as Error).message}`);
    }
  }
  throw new CacheSpecError(`unknown cache "${s}" (expected ${CACHE_SPEC_HELP})`);
}

/** Parses a cache spelling for this model (latent kinds factor its weights). Nonsense throws a CacheSpecError. */
export async function parseCacheSpec(spec: string, model: GPT): Promise<CacheChoice> {
  let policy: CachePolicy | undefined;
  let kind: CacheKind | null = null;
  for (const part of spec.split(',')) {
    let p: CachePolicy | null;
    try {
      p = parsePolicy(part);
    } catch (err) {
      throw new CacheSpecError(`${part}: ${(err as Error).message}`);
    }
    if (p && policy) throw new CacheSpecError('at most one policy (window, sinks or h2o)');
    if (p) policy = p;
    else if (kind) throw new CacheSpecError('at most one kind (full, int8, int4, …, latent:R)');
    else kind = await parseKind(part, model);
  }
  if (policy && kind && staticCapacity(kind) !== null) {
    throw new CacheSpecError('the static cache keeps every position in its own reserved row and cannot evict; use full with a policy');
  }
  if (policy && kind && !kind.keep) {
    throw new CacheSpecError(
      `the ${kind.name} cache cannot evict single positions (KIVI's key groups span tokens); use ${kind.name}-token`,
    );
  }
  const label = [kind?.name, policy && policyName(policy)].filter(Boolean).join(',') || 'full';
  return { ...(kind ? { kind } : {}), ...(policy ? { policy } : {}), label };
}
