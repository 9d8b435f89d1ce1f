/**
 * The "Keep less" lesson's measurements: step the model through an eviction policy and report what
 * the cache kept, what it dropped (and when), and where the newest token looked; and the loss on a
 * held-out passage at several cache budgets. Functions take a model and return plain records (the
 * Web Worker can call them as they are); every tensor they make is freed before they return.
 */
import { AbortedError } from './yield';
export { AbortedError };
import * as tf from '@tensorflow/tfjs-core';
import { disposeCache, emptyCache, type Eviction, forward, generateCached, type GPT, type Tokenizer } from '@/lib/gpt';
import { applyPolicy, attentionMass, type CachePolicy, policyName } from '@/lib/gpt/kvcache-policy';

export { POLICY_KINDS, POLICY_LABELS, policyAt, SINKS, sweepSteps, type PolicyKind } from './policies';
import { policyAt, type PolicyKind } from './policies';

/** One layer after one step: the positions kept, and the newest token's attention (mean over heads) over the positions it read. */
export interface LayerView {
  kept: number[];
  /** Positions the step's attention read (kept before this step's eviction, plus the new ones). */
  attended: number[];
  /** attention[i]: weight on attended[i], averaged over the query heads; sums to 1. */
  attention: number[];
}

export interface PolicyStep {
  step: number;
  id: number;
  text: string;
  cacheLength: number;
  cacheBytes: number;
  layers: LayerView[];
  /** Positions this step evicted (after its forward pass), every layer's. */
  evictions: Eviction[];
  stopReason?: 'maxTokens' | 'blockSize';
}

/** The last query row of each head, averaged: [nh][T][Tk] → [Tk]. */
function newestRow(weights: number[][][]): number[] {
  const rows = weights.map((head) => head[head.length - 1]);
  return rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
}

/**
 * Greedy generation through `policy` (null: the full cache), one plain record per step. Closing the
 * generator (return, or breaking a for-await) frees its cache.
 */
export async function* stepWithPolicy(
  model: GPT,
  tokenizer: Tokenizer,
  promptIds: readonly number[],
  policy: CachePolicy | null,
  maxNewTokens: number,
): AsyncGenerator<PolicyStep> {
  const gen = generateCached(model, tokenizer, promptIds, {
    maxNewTokens,
    sampling: {},
    traceStep: 'every',
    ...(policy ? { policy } : {}),
  });
  try {
    for await (const r of gen) {
      const evictions = r.evictions ?? [];
      const layers = (r.cache?.layers ?? []).map((l, i): LayerView => {
        const gone = evictions.filter((e) => e.layer === i).map((e) => e.position);
        return {
          kept: [...l.positions],
          attended: [...gone, ...l.positions].sort((a, b) => a - b),
          attention: newestRow(r.trace![i].weights),
        };
      });
      yield {
        step: r.step,
        id: r.id,
        text: r.text,
        cacheLength: r.cacheLength,
        cacheBytes: r.cacheBytes,
        layers,
        evictions,
        ...(r.stopReason ? { stopReason: r.stopReason } : {}),
      };
    }
  } finally {
    await gen.return(undefined);
  }
}

/** −log softmax(logits)[target], in float64. */
function nll(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return Math.log(sum) + max - logits[target];
}

export interface LossOptions {
  signal?: AbortSignal;
  /** Awaited after every step: give the event loop a turn so the page can paint and Cancel can be clicked. */
  between?: () => Promise<void>;
  /** Called after every step. */
  onStep?: () => void;
}

/**
 * Next-token loss of `ids` read one token at a time through `policy` (null: the full cache), from an
 * empty cache: the prediction of ids[t+1] sees only what the policy kept of ids[0..t]. At most
 * blockSize + 1 tokens (one context). Throws AbortedError when `signal` fires.
 */
export async function policyLoss(
  model: GPT,
  ids: readonly number[],
  policy: CachePolicy | null,
  opts: LossOptions = {},
): Promise<{ nats: number; tokens: number; peakRows: number }> {
  if (ids.length < 2) throw new RangeError('the passage needs at least two tokens');
  if (ids.length > model.config.blockSize + 1) throw new RangeError(`at most ${model.config.blockSize + 1} tokens fit one context`);
  let cache = emptyCache(model.config);
  let nats = 0;
  let peakRows = 0;
  try {
    for (let t = 0; t + 1 < ids.length; t++) {
      if (opts.signal?.aborted) throw new AbortedError();
      const idx = tf.tensor2d([ids[t]], [1, 1], 'int32'); // [1, 1]
      const out = forward(model, idx, cache, { logits: 'last', weights: policy?.type === 'h2o' });
      idx.dispose();
      disposeCache(cache);
      cache = out.cache!;
      const logits = (await out.logits.data()) as Float32Array; // [V]
      out.logits.dispose();
      peakRows = Math.max(peakRows, cache.length);
      if (policy) cache = applyPolicy(cache, policy, out.weights && (await attentionMass(out.weights)));
      nats += nll(logits, ids[t + 1]);
      opts.onStep?.();
      await opts.between?.();
    }
    return { nats, tokens: ids.length - 1, peakRows };
  } finally {
    disposeCache(cache);
  }
}

export interface SweepPoint {
  /** null: the full cache. */
  kind: PolicyKind | null;
  budget: number;
  policy: string;
  lossPerToken: number;
  lossPerChar: number;
  /** Largest number of rows the cache held during the run, and its bytes at the budget. */
  peakRows: number;
  bytes: number;
}

export interface SweepInput {
  kinds: readonly PolicyKind[];
  budgets: readonly number[];
  /** Tokens of the passage to score (≤ blockSize + 1). */
  tokens: number;
}

/**
 * Loss per character of the passage's first `tokens` tokens under each policy at each budget, and
 * the full cache once as the reference. `onPoint` hears each finished point (the chart fills in live).
 */
export async function budgetSweep(
  model: GPT,
  tokenizer: Tokenizer,
  text: string,
  input: SweepInput,
  opts: LossOptions & { onPoint?: (p: SweepPoint) => void } = {},
): Promise<SweepPoint[]> {
  const ids = tokenizer.encode(text).slice(0, input.tokens);
  const characters = tokenizer.decode(ids.slice(1)).length; // the characters the predicted tokens spell
  const bytesPerRow = 2 * model.config.nLayer * model.config.nKvHead * (model.config.nEmbd / model.config.nHead) * 4;
  const runs: { kind: PolicyKind | null; budget: number }[] = [{ kind: null, budget: ids.length - 1 }];
  for (const kind of input.kinds) for (const budget of input.budgets) runs.push({ kind, budget });
  const points: SweepPoint[] = [];
  for (const run of runs) {
    const policy = run.kind ? policyAt(run.kind, run.budget) : null;
    const r = await policyLoss(model, ids, policy, opts);
    const point: SweepPoint = {
      kind: run.kind,
      budget: run.budget,
      policy: policy ? policyName(policy) : 'full',
      lossPerToken: r.nats / r.tokens,
      lossPerChar: r.nats / characters,
      peakRows: r.peakRows,
      bytes: Math.min(r.peakRows, run.budget) * bytesPerRow,
    };
    points.push(point);
    opts.onPoint?.(point);
  }
  return points;
}

/** How much attention position 0 draws in one layer, against what spreading evenly would give it. */
export interface SinkShare {
  layer: number;
  /** Mean weight on position 0 over heads and over queries at positions ≥ `from`. */
  first: number;
  /** The same queries' mean of 1 / (t + 1): position 0's share if attention were spread evenly. */
  even: number;
  /** Mean weight on the query's own and previous 3 positions (the most recent 4 keys), for contrast. */
  recent: number;
}

/**
 * Per layer, the attention position 0 receives from queries at positions ≥ `from` ([nh][T][T]
 * weights of an uncached pass, traceForward). A StreamingLLM "sink" shows as `first` far above `even`.
 */
export function sinkShares(weights: readonly (readonly (readonly (readonly number[])[])[])[], from = 32): SinkShare[] {
  return weights.map((layer, l) => {
    let first = 0;
    let even = 0;
    let recent = 0;
    let n = 0;
    for (const head of layer) {
      for (let t = from; t < head.length; t++) {
        first += head[t][0];
        even += 1 / (t + 1);
        for (let j = Math.max(0, t - 3); j <= t; j++) recent += head[t][j];
        n += 1;
      }
    }
    return { layer: l, first: first / n, even: even / n, recent: recent / n };
  });
}
