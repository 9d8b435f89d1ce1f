/**
 * The model's shape, in nanoGPT's names, and its GPT-2 `config.json` twin.
 *
 * nKvHead < nHead gives grouped-query attention (GQA); nKvHead = 1 is multi-query attention (MQA).
 */
export interface GPTConfig {
  nLayer: number;
  nHead: number;
  /** Key/value heads; a divisor of nHead. Query head h reads key/value head floor(h / (nHead / nKvHead)). */
  nKvHead: number;
  nEmbd: number;
  /** Context length: the most positions the model can attend over (GPT-2's n_positions). */
  blockSize: number;
  vocabSize: number;
}

/** GPT-2's config.json keys, plus n_kv_head. */
export interface HFConfig {
  model_type: 'gpt2';
  n_layer: number;
  n_head: number;
  n_kv_head: number;
  n_embd: number;
  n_positions: number;
  n_ctx: number;
  vocab_size: number;
  activation_function: 'gelu_new';
  layer_norm_epsilon: number;
  tie_word_embeddings: true;
}

export const LAYER_NORM_EPS = 1e-5;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Head size hs = nEmbd / nHead. */
export function headSize(c: GPTConfig): number {
  return c.nEmbd / c.nHead;
}

/** Width of one layer's K (or V) across its key/value heads: nKvHead · hs. */
export function kvDim(c: GPTConfig): number {
  return c.nKvHead * headSize(c);
}

/** Throws a ConfigError naming the first field that cannot describe a GPT. */
export function validateConfig(c: GPTConfig): GPTConfig {
  for (const key of ['nLayer', 'nHead', 'nKvHead', 'nEmbd', 'blockSize', 'vocabSize'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new ConfigError(`${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new ConfigError(`nEmbd (${c.nEmbd}) must be divisible by nHead (${c.nHead})`);
  if (c.nHead % c.nKvHead !== 0) throw new ConfigError(`nKvHead (${c.nKvHead}) must divide nHead (${c.nHead})`);
  return c;
}

export function toHFConfig(c: GPTConfig): HFConfig {
  return {
    model_type: 'gpt2',
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_kv_head: c.nKvHead,
    n_embd: c.nEmbd,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    vocab_size: c.vocabSize,
    activation_function: 'gelu_new',
    layer_norm_epsilon: LAYER_NORM_EPS,
    tie_word_embeddings: true,
  };
}

/** Reads a GPT-2 config.json; a missing n_kv_head means classic multi-head attention. */
export function fromHFConfig(json: unknown): GPTConfig {
  const j = json as Partial<Record<keyof HFConfig, unknown>>;
  if (typeof j !== 'object' || j === null) throw new ConfigError('config.json is not an object');
  const num = (key: keyof HFConfig): number => {
    const v = j[key];
    if (typeof v !== 'number') throw new ConfigError(`config.json: "${key}" must be a number`);
    return v;
  };
  const nHead = num('n_head');
  return validateConfig({
    nLayer: num('n_layer'),
    nHead,
    nKvHead: j.n_kv_head === undefined ? nHead : num('n_kv_head'),
    nEmbd: num('n_embd'),
    blockSize: num('n_positions'),
    vocabSize: num('vocab_size'),
  });
}
