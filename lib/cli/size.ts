/**
 * `kvlab size`: the KV-cache calculator of the "How big is the cache?" lesson on the command line.
 *
 *   kvlab size --model llama-3.1-8b [--dtype fp16] [--context 131072] [--batch N] [--gpu-gb 80] [--json]
 *   kvlab size --model custom --layers 32 --kv-heads 8 --head-size 128 …   (or --latent 512 --rope 64 for MLA)
 *   kvlab size --list
 *
 * Any preset's shape can be overridden with --layers, --kv-heads, --head-size, --latent, --rope.
 * Every figure comes from `cacheSize` in lib/lessons/cache-size.ts. No tfjs: nothing is loaded.
 */
import { num, parse, str, UsageError } from '../../scripts/cli-args';
import {
  bytesPerToken,
  cacheSize,
  CacheSizeError,
  DTYPES,
  findPreset,
  formatBinary,
  formatDecimal,
  PRESETS,
  type CacheLayout,
  type Dtype,
} from '../lessons/cache-size';

export const SIZE_HELP = `kvlab size --model <preset|custom> [--dtype ${Object.keys(DTYPES).join('|')}] [--context N] [--batch N]
                 [--gpu-gb G] [--layers N --kv-heads N --head-size N | --latent N --rope N] [--json]
       kvlab size --list`;

const FLAGS = {
  model: { type: 'string' },
  dtype: { type: 'string' },
  context: { type: 'string' },
  batch: { type: 'string' },
  'gpu-gb': { type: 'string' },
  layers: { type: 'string' },
  'kv-heads': { type: 'string' },
  'head-size': { type: 'string' },
  latent: { type: 'string' },
  rope: { type: 'string' },
  json: { type: 'boolean' },
  list: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parse>;
const int = (f: Flags, flag: string, fallback: number, min = 1) => num(flag, str(f[flag]), fallback, { int: true, min });

/** The preset's layout with any shape flags applied; `custom` starts from nothing and needs them all. */
function layoutFrom(f: Flags, base: CacheLayout | null): CacheLayout {
  const mla = f.latent !== undefined || f.rope !== undefined || base?.kind === 'mla';
  if (mla && (f['kv-heads'] !== undefined || f['head-size'] !== undefined)) {
    throw new UsageError('give --kv-heads/--head-size (standard attention) or --latent/--rope (MLA), not both');
  }
  const need = (flag: string, have: number | undefined) => {
    if (f[flag] === undefined && have === undefined)
      throw new UsageError(`${base ? 'an MLA cache (--latent, --rope)' : '--model custom'} needs --${flag}`);
    return int(f, flag, have ?? 0, flag === 'rope' ? 0 : 1);
  };
  const nLayer = need('layers', base?.nLayer);
  if (mla) {
    const b = base?.kind === 'mla' ? base : undefined;
    return { kind: 'mla', nLayer, latent: need('latent', b?.latent), rope: need('rope', b?.rope) };
  }
  const b = base?.kind === 'kv' ? base : undefined;
  return { kind: 'kv', nLayer, nKvHead: need('kv-heads', b?.nKvHead), headSize: need('head-size', b?.headSize) };
}

function list(json: boolean): string {
  const rows = PRESETS.map((p) => ({
    id: p.id,
    name: p.name,
    layout: p.layout,
    dtype: p.dtype,
    bytesPerToken: bytesPerToken(p.layout, p.dtype),
    maxContext: p.maxContext,
    source: p.source.url,
  }));
  if (json) return JSON.stringify(rows);
  const shape = (l: CacheLayout) =>
    l.kind === 'kv'
      ? `${l.nLayer} layers, ${l.nKvHead} KV head${l.nKvHead === 1 ? '' : 's'} × ${l.headSize}`
      : `${l.nLayer} layers, MLA ${l.latent} + ${l.rope}`;
  const lines = rows.map((r) =>
    [
      r.id.padEnd(14),
      shape(r.layout).padEnd(32),
      r.dtype.padEnd(5),
      `${r.bytesPerToken.toLocaleString('en-US')} B/token`.padStart(18),
      `max ${r.maxContext.toLocaleString('en-US')}`,
    ].join('  '),
  );
  return [...lines, 'custom          (give --layers --kv-heads --head-size, or --layers --latent --rope)'].join('\n');
}

/** Runs `kvlab size` and returns what to print on stdout (UsageError for anything wrong). */
export function sizeCommand(args: string[]): string {
  const f = parse(args, FLAGS);
  if (f.list) return list(Boolean(f.json));
  const id = str(f.model);
  if (!id) throw new UsageError('--model is required (a preset, or custom; --list shows the presets)');
  const preset = id === 'custom' ? null : findPreset(id);
  if (preset === undefined) {
    throw new UsageError(`unknown model "${id}" (expected one of ${PRESETS.map((p) => p.id).join(', ')}, or custom)`);
  }
  const dtype = (str(f.dtype) ?? preset?.dtype ?? 'fp16') as Dtype;
  if (!(dtype in DTYPES)) throw new UsageError(`--dtype must be one of ${Object.keys(DTYPES).join(', ')}, got "${dtype}"`);
  const layout = layoutFrom(f, preset?.layout ?? null);
  const context = int(f, 'context', preset?.maxContext ?? 4096);
  const batch = int(f, 'batch', 1);
  const gpuGb = f['gpu-gb'] === undefined ? undefined : num('gpu-gb', str(f['gpu-gb']), 0, { min: 0 });
  if (gpuGb === 0) throw new UsageError('--gpu-gb must be more than 0 (gigabytes of GPU memory)');
  let r;
  try {
    r = cacheSize({ layout, dtype, context, batch, gpuBytes: gpuGb === undefined ? undefined : gpuGb * 1e9 });
  } catch (err) {
    if (err instanceof CacheSizeError) throw new UsageError(err.message);
    throw err;
  }
  const name = preset?.name ?? 'custom';
  if (f.json) {
    return JSON.stringify({
      model: id,
      name,
      layout,
      dtype,
      bytesPerElement: r.bytesPerElement,
      context,
      batch,
      bytesPerToken: r.bytesPerToken,
      bytesPerSequence: r.bytesPerSequence,
      totalBytes: r.totalBytes,
      ...(r.gpuFractionLeft !== undefined ? { gpuBytes: gpuGb! * 1e9, gpuFractionLeft: r.gpuFractionLeft } : {}),
      formula: r.formula,
      ...(preset ? { source: preset.source.url } : {}),
    });
  }
  const both = (b: number) => `${formatBinary(b)}, ${formatDecimal(b)}`;
  const lines = [
    `${name}${preset ? ` — ${preset.source.label}` : ''}, ${dtype}`,
    `  per token:    ${r.formula.split(';')[0]} (${formatBinary(r.bytesPerToken)})`,
    `  per sequence: × ${context.toLocaleString('en-US')} tokens = ` +
      `${r.bytesPerSequence.toLocaleString('en-US')} bytes (${both(r.bytesPerSequence)})`,
    `  in all:       × ${batch.toLocaleString('en-US')} sequence${batch === 1 ? '' : 's'} = ` +
      `${r.totalBytes.toLocaleString('en-US')} bytes (${both(r.totalBytes)})`,
  ];
  if (r.gpuFractionLeft !== undefined) {
    lines.push(
      r.gpuFractionLeft >= 0
        ? `  GPU:          ${(100 * (1 - r.gpuFractionLeft)).toFixed(1)}% of ${gpuGb} GB for the cache, ` +
            `${(100 * r.gpuFractionLeft).toFixed(1)}% left for weights and the rest`
        : `  GPU:          the cache alone needs ${(1 - r.gpuFractionLeft).toFixed(2)}× the ${gpuGb} GB: it does not fit`,
    );
  }
  if (preset && context > preset.maxContext)
    lines.push(`  note: ${preset.name} was configured for at most ${preset.maxContext.toLocaleString('en-US')} tokens`);
  return lines.join('\n');
}
