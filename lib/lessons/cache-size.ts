/**
 * How big a KV cache is: the one cache-size formula of the project, for our model and for the models
 * people run. Pure arithmetic (no tfjs), shared by the calculator lesson, `kvlab size` and the lessons
 * on shrinking the cache.
 *
 *   standard attention (MHA, GQA, MQA): bytes per token = 2 · nLayer · nKvHead · headSize · bytesPerElement
 *   latent attention (MLA):             bytes per token =     nLayer · (latent + rope)  · bytesPerElement
 *
 * The 2 is one key and one value row per layer. MLA caches one latent vector per layer (DeepSeek's
 * kv_lora_rank) plus the small shared rotary key (qk_rope_head_dim) instead of K and V per head.
 * A sequence of T tokens holds T times that, and a batch of B sequences B times more.
 */

/** Bytes per stored number. int4 packs two numbers in a byte; scales and zero points are not counted. */
export const DTYPES = {
  fp32: { bytes: 4, label: 'fp32 (4 bytes)' },
  fp16: { bytes: 2, label: 'fp16 / bf16 (2 bytes)' },
  bf16: { bytes: 2, label: 'bf16 (2 bytes)' },
  fp8: { bytes: 1, label: 'fp8 (1 byte)' },
  int8: { bytes: 1, label: 'int8 (1 byte)' },
  int4: { bytes: 0.5, label: 'int4 (half a byte)' },
} as const;

export type Dtype = keyof typeof DTYPES;

/** What one token leaves in the cache, per layer. */
export type CacheLayout =
  { kind: 'kv'; nLayer: number; nKvHead: number; headSize: number } | { kind: 'mla'; nLayer: number; latent: number; rope: number };

export interface ModelPreset {
  id: string;
  name: string;
  layout: CacheLayout;
  /** Query heads (for standard attention, nHead / nKvHead query heads share each key/value head). */
  nHead: number;
  /** The precision the cache is usually kept in when the model is served. */
  dtype: Dtype;
  /** The longest context the published config allows (max_position_embeddings, n_ctx, …). */
  maxContext: number;
  /** Where the numbers come from: an absolute URL, or a path on this site (our own model). */
  source: { label: string; url: string };
  /** Anything a reader of the numbers should know. */
  note?: string;
  /** MLA only: the multi-head K and V that the latent replaces (head sizes of K and of V). */
  replaces?: { nHead: number; kHeadSize: number; vHeadSize: number };
}

const HF = (repo: string) => ({ label: `${repo} config.json`, url: `https://huggingface.co/${repo}/blob/main/config.json` });

/** Real models, from their published config.json, and our own. */
export const PRESETS: readonly ModelPreset[] = [
  {
    id: 'gpt2',
    name: 'GPT-2 (124M)',
    layout: { kind: 'kv', nLayer: 12, nKvHead: 12, headSize: 64 },
    nHead: 12,
    dtype: 'fp32',
    maxContext: 1024,
    source: HF('openai-community/gpt2'),
    note: 'n_layer 12, n_head 12, n_embd 768: head size 768 / 12 = 64; multi-head, so every head is cached.',
  },
  {
    id: 'llama-2-7b',
    name: 'Llama 2 7B',
    layout: { kind: 'kv', nLayer: 32, nKvHead: 32, headSize: 128 },
    nHead: 32,
    dtype: 'fp16',
    maxContext: 4096,
    source: HF('meta-llama/Llama-2-7b-hf'),
    note: 'num_key_value_heads 32 = num_attention_heads: multi-head attention.',
  },
  {
    id: 'llama-3.1-8b',
    name: 'Llama 3.1 8B',
    layout: { kind: 'kv', nLayer: 32, nKvHead: 8, headSize: 128 },
    nHead: 32,
    dtype: 'bf16',
    maxContext: 131072,
    source: HF('meta-llama/Llama-3.1-8B'),
    note: 'Grouped-query attention: 32 query heads share 8 key/value heads (4 each). hidden_size 4096 / 32 heads = 128.',
  },
  {
    id: 'llama-3.1-70b',
    name: 'Llama 3.1 70B',
    layout: { kind: 'kv', nLayer: 80, nKvHead: 8, headSize: 128 },
    nHead: 64,
    dtype: 'bf16',
    maxContext: 131072,
    source: HF('meta-llama/Llama-3.1-70B'),
    note: 'Grouped-query attention: 64 query heads share 8 key/value heads (8 each). hidden_size 8192 / 64 = 128.',
  },
  {
    id: 'mistral-7b',
    name: 'Mistral 7B (v0.1)',
    layout: { kind: 'kv', nLayer: 32, nKvHead: 8, headSize: 128 },
    nHead: 32,
    dtype: 'bf16',
    maxContext: 32768,
    source: HF('mistralai/Mistral-7B-v0.1'),
    note:
      'GQA with 8 key/value heads. v0.1 also has sliding_window 4096: each layer attends to the last ' +
      '4,096 tokens only, so a rolling cache can stop growing there.',
  },
  {
    id: 'falcon-7b',
    name: 'Falcon 7B',
    layout: { kind: 'kv', nLayer: 32, nKvHead: 1, headSize: 64 },
    nHead: 71,
    dtype: 'bf16',
    maxContext: 2048,
    source: HF('tiiuae/falcon-7b'),
    note: 'multi_query: true — all 71 query heads share one key/value head. hidden_size 4544 / 71 heads = 64.',
  },
  {
    id: 'qwen2.5-7b',
    name: 'Qwen2.5 7B',
    layout: { kind: 'kv', nLayer: 28, nKvHead: 4, headSize: 128 },
    nHead: 28,
    dtype: 'bf16',
    maxContext: 131072,
    source: HF('Qwen/Qwen2.5-7B'),
    note: 'GQA: 28 query heads share 4 key/value heads (7 each). hidden_size 3584 / 28 = 128.',
  },
  {
    id: 'deepseek-v3',
    name: 'DeepSeek-V3 (671B)',
    layout: { kind: 'mla', nLayer: 61, latent: 512, rope: 64 },
    nHead: 128,
    dtype: 'bf16',
    maxContext: 163840,
    source: HF('deepseek-ai/DeepSeek-V3'),
    note: 'Multi-head latent attention: kv_lora_rank 512 plus qk_rope_head_dim 64 per layer, shared by all 128 heads.',
    replaces: { nHead: 128, kHeadSize: 192, vHeadSize: 128 },
  },
  {
    id: 'austen',
    name: 'austen (this lab)',
    layout: { kind: 'kv', nLayer: 4, nKvHead: 4, headSize: 32 },
    nHead: 4,
    dtype: 'fp32',
    maxContext: 256,
    source: { label: 'public/models/austen/config.json', url: '/models/austen/config.json' },
    note: 'n_layer 4, n_head 4, n_kv_head 4, n_embd 128: head size 32. The browser keeps the cache in float32.',
  },
];

/** The preset with this id, or undefined. */
export function findPreset(id: string): ModelPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Bad input to the calculator: says which value and why. */
export class CacheSizeError extends RangeError {
  override name = 'CacheSizeError';
}

function positiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new CacheSizeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

/** Throws a CacheSizeError naming the first value that cannot describe a cache. */
export function validateLayout(l: CacheLayout): CacheLayout {
  positiveInt('layers', l.nLayer);
  if (l.kind === 'kv') {
    positiveInt('key/value heads', l.nKvHead);
    positiveInt('head size', l.headSize);
  } else {
    positiveInt('latent size', l.latent);
    positiveInt('rope size', l.rope, 0);
  }
  return l;
}

/** Numbers one token adds to the cache (all layers). */
export function elementsPerToken(l: CacheLayout): number {
  validateLayout(l);
  return l.kind === 'kv' ? 2 * l.nLayer * l.nKvHead * l.headSize : l.nLayer * (l.latent + l.rope);
}

/** Bytes one token adds to the cache: the formula at the top of this file. */
export function bytesPerToken(l: CacheLayout, dtype: Dtype): number {
  const d = DTYPES[dtype];
  if (!d) throw new CacheSizeError(`unknown dtype "${dtype}" (expected ${Object.keys(DTYPES).join(', ')})`);
  return elementsPerToken(l) * d.bytes;
}

export interface SizeInput {
  layout: CacheLayout;
  dtype: Dtype;
  /** Tokens per sequence. */
  context: number;
  /** Sequences held at once (sessions, batch). Default 1. */
  batch?: number;
  /** GPU memory in bytes, to say how much is left for the weights. */
  gpuBytes?: number;
}

export interface SizeResult {
  elementsPerToken: number;
  bytesPerElement: number;
  bytesPerToken: number;
  bytesPerSequence: number;
  totalBytes: number;
  context: number;
  batch: number;
  /** Only with gpuBytes: the share of the GPU the cache leaves for weights and everything else (negative: it does not fit). */
  gpuFractionLeft?: number;
  /** The formula with the numbers substituted, in one line. */
  formula: string;
}

const n = (v: number) => v.toLocaleString('en-US');

/** The per-token formula with this layout's numbers in it, e.g. "2 · 32 layers · 8 KV heads · 128 · 2 bytes". */
export function formulaTerms(l: CacheLayout, dtype: Dtype): string {
  const b = DTYPES[dtype].bytes;
  const bytes = `${b} byte${b === 1 ? '' : 's'}`;
  return l.kind === 'kv'
    ? `2 · ${l.nLayer} layers · ${l.nKvHead} KV head${l.nKvHead === 1 ? '' : 's'} · ${l.headSize} head size · ${bytes}`
    : `${l.nLayer} layers · (${l.latent} latent + ${l.rope} rope) · ${bytes}`;
}

/** The cache for `batch` sequences of `context` tokens, with the arithmetic spelled out. */
export function cacheSize(input: SizeInput): SizeResult {
  const { layout, dtype, context, batch = 1, gpuBytes } = input;
  positiveInt('context', context);
  positiveInt('batch', batch);
  if (gpuBytes !== undefined && !(Number.isFinite(gpuBytes) && gpuBytes > 0)) {
    throw new CacheSizeError(`GPU memory must be a positive number of bytes, got ${gpuBytes}`);
  }
  const perToken = bytesPerToken(layout, dtype);
  const perSequence = perToken * context;
  const total = perSequence * batch;
  const formula =
    `${formulaTerms(layout, dtype)} = ${n(perToken)} bytes per token; ` +
    `× ${n(context)} tokens × ${n(batch)} sequence${batch === 1 ? '' : 's'} = ${n(total)} bytes`;
  return {
    elementsPerToken: elementsPerToken(layout),
    bytesPerElement: DTYPES[dtype].bytes,
    bytesPerToken: perToken,
    bytesPerSequence: perSequence,
    totalBytes: total,
    context,
    batch,
    ...(gpuBytes !== undefined ? { gpuFractionLeft: 1 - total / gpuBytes } : {}),
    formula,
  };
}

/**
 * MLA only: the bytes per token of the multi-head K and V it replaces,
 * nLayer · nHead · (kHeadSize + vHeadSize) · bytesPerElement.
 */
export function replacedBytesPerToken(p: ModelPreset, dtype: Dtype = p.dtype): number | null {
  if (!p.replaces) return null;
  const { nHead, kHeadSize, vHeadSize } = p.replaces;
  return p.layout.nLayer * nHead * (kHeadSize + vHeadSize) * DTYPES[dtype].bytes;
}

/** Points for a chart of cache size against context: `count` + 1 evenly spaced lengths from 0 to `maxContext`. */
export function sizeCurve(l: CacheLayout, dtype: Dtype, maxContext: number, batch = 1, count = 16): { context: number; bytes: number }[] {
  positiveInt('context', maxContext);
  const perToken = bytesPerToken(l, dtype);
  return Array.from({ length: count + 1 }, (_, i) => {
    const context = Math.round((i * maxContext) / count);
    return { context, bytes: perToken * context * batch };
  });
}

/** 17179869184 → "16.0 GiB" (powers of 1024, three significant digits). */
export function formatBinary(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n(v)} bytes` : `${v.toPrecision(3)} ${units[i]}`;
}

/** 819200000 → "819 MB" (powers of 1000, as disk and GPU makers count; three significant digits). */
export function formatDecimal(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n(v)} bytes` : `${v.toPrecision(3)} ${units[i]}`;
}

/** Numbers held by a cache read into plain arrays (`readCache`): every K and V entry of every layer. */
export function plainCacheElements(
  layers: readonly { k: readonly (readonly (readonly number[])[])[]; v: readonly (readonly (readonly number[])[])[] }[],
): number {
  let count = 0;
  for (const { k, v } of layers) for (const block of [k, v]) for (const head of block) for (const row of head) count += row.length;
  return count;
}
