/**
 * The arithmetic behind the "Myth vs measured" aside of the cache-size lesson: published claims about
 * cache sizes, recomputed with the one formula (lib/lessons/cache-size.ts) from the models' configs.
 */
import { cacheSize, findPreset, type CacheLayout, type Dtype } from './cache-size';

export interface CheckRow {
  /** What configuration this row assumes, in words. */
  label: string;
  layout: CacheLayout;
  dtype: Dtype;
  tokens: number;
  bytesPerToken: number;
  totalBytes: number;
}

function row(label: string, layout: CacheLayout, dtype: Dtype, tokens: number): CheckRow {
  const r = cacheSize({ layout, dtype, context: tokens });
  return { label, layout, dtype, tokens, bytesPerToken: r.bytesPerToken, totalBytes: r.totalBytes };
}

function kvLayout(id: string): Extract<CacheLayout, { kind: 'kv' }> {
  const p = findPreset(id);
  if (!p || p.layout.kind !== 'kv') throw new Error(`no standard-attention preset "${id}"`);
  return p.layout;
}

/**
 * Llama 3.1 8B at its full 131,072-token context, fp16: computed with 32 key/value heads (the primer's
 * mistake: that is the number of query heads) and with the 8 its config.json has.
 */
export function llama8bCheck(): { wrong: CheckRow; right: CheckRow; ratio: number } {
  const l = kvLayout('llama-3.1-8b');
  const wrong = row('32 key/value heads (as if multi-head)', { ...l, nKvHead: 32 }, 'fp16', 131072);
  const right = row('8 key/value heads (its config.json)', l, 'fp16', 131072);
  return { wrong, right, ratio: wrong.totalBytes / right.totalBytes };
}

/** The claim to check: "a 70B model's cache is 2.1 GB per session for a 2,500-token conversation". */
export const CLAIM_70B = { bytes: 2.1e9, tokens: 2500 } as const;

/**
 * The common 70B configurations at the claim's 2,500 tokens. Llama 2 70B, Llama 3 / 3.1 / 3.3 70B
 * (and Qwen2.5 72B) all have 80 layers and 8 key/value heads of size 128; a multi-head 70B
 * (Chinchilla-style: 80 layers, 64 heads of 128) is shown for comparison, in 16 and 32-bit floats.
 */
export function seventyBCheck(): CheckRow[] {
  const gqa = kvLayout('llama-3.1-70b');
  const mha = { ...gqa, nKvHead: 64 };
  const t = CLAIM_70B.tokens;
  return [
    row('80 layers, 8 KV heads (Llama 2/3/3.1 70B), fp16', gqa, 'fp16', t),
    row('80 layers, 8 KV heads, fp32', gqa, 'fp32', t),
    row('80 layers, 8 KV heads, fp8', gqa, 'fp8', t),
    row('80 layers, 64 KV heads (multi-head 70B), fp16', mha, 'fp16', t),
    row('80 layers, 64 KV heads, fp32', mha, 'fp32', t),
  ];
}

/** Bytes per token the claim implies: 2.1 GB / 2,500 tokens. */
export const claimedBytesPerToken = (): number => CLAIM_70B.bytes / CLAIM_70B.tokens;
