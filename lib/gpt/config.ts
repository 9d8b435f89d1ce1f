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

const FIX = 'Fix config.json or re-export the model (node --import tsx scripts/export-model.ts).';

/** What this lab's GPT-2 hard-codes: a config.json that says otherwise describes another model. */
const FIXED: { key: keyof HFConfig; value: unknown; why: string }[] = [
  { key: 'model_type', value: 'gpt2', why: 'this lab runs GPT-2 models only' },
  { key: 'activation_function', value: 'gelu_new', why: "the MLP uses GPT-2's tanh GELU" },
  { key: 'layer_norm_epsilon', value: LAYER_NORM_EPS, why: 'LayerNorm here uses epsilon' },
  { key: 'tie_word_embeddings', value: true, why: 'the output head is always tied to wte' },
];

/**
 * Reads a GPT-2 config.json; a missing n_kv_head means classic multi-head attention. Optional keys this
 * lab hard-codes (model_type, activation_function, layer_norm_epsilon, tie_word_embeddings, n_ctx) must
 * agree with it when present. Throws a ConfigError naming the key, by its config.json name.
 */
export function fromHFConfig(json: unknown): GPTConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`config.json is ${JSON.stringify(json)}, not an object of GPT-2 settings. ${FIX}`);
  }
  const j = json as Partial<Record<keyof HFConfig, unknown>>;
  const int = (key: keyof HFConfig): number => {
    const v = j[key];
    if (!Number.isSafeInteger(v) || (v as number) < 1) {
      throw new ConfigError(`config.json: "${key}" must be a positive integer, got ${JSON.stringify(v) ?? 'nothing'}. ${FIX}`);
    }
    return v as number;
  };
  const c: GPTConfig = {
    nLayer: int('n_layer'),
    nHead: int('n_head'),
    nKvHead: j.n_kv_head === undefined ? int('n_head') : int('n_kv_head'),
    nEmbd: int('n_embd'),
    blockSize: int('n_positions'),
    vocabSize: int('vocab_size'),
  };
  if (c.nEmbd % c.nHead !== 0) throw new ConfigError(`config.json: n_embd (${c.nEmbd}) must be divisible by n_head (${c.nHead}). ${FIX}`);
  if (c.nHead % c.nKvHead !== 0) throw new ConfigError(`config.json: n_kv_head (${c.nKvHead}) must divide n_head (${c.nHead}). ${FIX}`);
  if (j.n_ctx !== undefined && j.n_ctx !== c.blockSize) {
    throw new ConfigError(`config.json: n_ctx (${JSON.stringify(j.n_ctx)}) must equal n_positions (${c.blockSize}). ${FIX}`);
  }
  for (const { key, value, why } of FIXED) {
    if (j[key] !== undefined && j[key] !== value) {
      throw new ConfigError(`config.json: "${key}" is ${JSON.stringify(j[key])}, but ${why}: ${JSON.stringify(value)}. ${FIX}`);
    }
  }
  return validateConfig(c);
}
