/**
 * The "Keep less" lesson's three eviction policies by name, and the policy of each at a budget: plain
 * data with no tfjs, so the lesson's cells can name them without loading the model code.
 */
import type { CachePolicy } from '../gpt/kvcache-policy';
import type { SweepInput } from './keep-less';

/** The three policies of the lesson, named by what they keep. */
export type PolicyKind = 'window' | 'sinks' | 'h2o';

export const POLICY_KINDS: readonly PolicyKind[] = ['window', 'sinks', 'h2o'];

/** Attention sinks kept by the sinks policy: StreamingLLM's four. */
export const SINKS = 4;

export const POLICY_LABELS: Record<PolicyKind, string> = {
  window: 'Sliding window',
  sinks: `${SINKS} sinks + window`,
  h2o: 'H2O heavy hitters',
};

/** The policy of this kind that holds at most `budget` rows: window:B, sinks:4+window:(B−4), h2o:B with B/2 recent. */
export function policyAt(kind: PolicyKind, budget: number): CachePolicy {
  if (!Number.isInteger(budget) || budget < SINKS + 1)
    throw new RangeError(`a cache budget must be an integer ≥ ${SINKS + 1}, got ${budget}`);
  if (kind === 'window') return { type: 'window', window: budget };
  if (kind === 'sinks') return { type: 'sinks', sinks: SINKS, window: budget - SINKS };
  return { type: 'h2o', budget, recent: Math.floor(budget / 2) };
}

/** Steps in a budget sweep: the full cache once, then every policy at every budget, each over tokens − 1 predictions. */
export const sweepSteps = (s: SweepInput) => (s.kinds.length * s.budgets.length + 1) * (s.tokens - 1);
