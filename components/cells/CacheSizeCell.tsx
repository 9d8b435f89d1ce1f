'use client';

import { useId, useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { assetPath } from '@/lib/paths';
import {
  cacheSize,
  CacheSizeError,
  DTYPES,
  findPreset,
  formatBinary,
  formatDecimal,
  PRESETS,
  sizeCurve,
  type CacheLayout,
  type Dtype,
} from '@/lib/lessons/cache-size';
import './kv-cells.css';
import './size-cells.css';

/** The inputs as typed: numbers are kept as strings so a half-typed value does not jump. */
type Inputs = {
  preset: string;
  kind: CacheLayout['kind'];
  nLayer: string;
  nKvHead: string;
  headSize: string;
  latent: string;
  rope: string;
  dtype: Dtype;
  context: string;
  batch: string;
  gpuGb: string;
};

function fromPreset(id: string): Partial<Inputs> {
  const p = findPreset(id);
  if (!p) return { preset: 'custom' };
  const l = p.layout;
  return {
    preset: id,
    kind: l.kind,
    nLayer: String(l.nLayer),
    ...(l.kind === 'kv'
      ? { nKvHead: String(l.nKvHead), headSize: String(l.headSize) }
      : { latent: String(l.latent), rope: String(l.rope) }),
    dtype: p.dtype === 'bf16' ? 'fp16' : p.dtype,
    context: String(p.maxContext),
  };
}

const DEFAULTS: Inputs = {
  preset: 'llama-3.1-8b',
  kind: 'kv',
  nLayer: '32',
  nKvHead: '8',
  headSize: '128',
  latent: '512',
  rope: '64',
  dtype: 'fp16',
  context: '131072',
  batch: '1',
  gpuGb: '80',
};
// bf16 and fp16 are both 2 bytes: the select offers them as one choice.
const DTYPE_CHOICES: Dtype[] = ['fp32', 'fp16', 'fp8', 'int4'];

function layoutOf(s: Inputs): CacheLayout {
  const v = Number;
  return s.kind === 'kv'
    ? { kind: 'kv', nLayer: v(s.nLayer), nKvHead: v(s.nKvHead), headSize: v(s.headSize) }
    : { kind: 'mla', nLayer: v(s.nLayer), latent: v(s.latent), rope: v(s.rope) };
}

function NumberField({
  id,
  label,
  value,
  onChange,
  min = 1,
  step = 1,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  min?: number;
  step?: number;
}) {
  return (
    <div className="field field-number">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={min} step={step} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** "How big is the cache?": the formula for real models and ours, for any dtype, context and batch. */
export function CacheSizeCell() {
  const [s, update, reset] = useCellState(DEFAULTS, {
    name: 'size',
    allowed: { preset: [...PRESETS.map((p) => p.id), 'custom'], kind: ['kv', 'mla'], dtype: Object.keys(DTYPES) },
  });
  const id = useId();
  const ids = (k: string) => `${id}-${k}`;
  const preset = findPreset(s.preset);
  // Editing any number makes the model "custom": the preset's name no longer describes it.
  const edit = (patch: Partial<Inputs>) => update({ ...patch, preset: 'custom' });

  const computed = useMemo(() => {
    try {
      const gpu = Number(s.gpuGb);
      if (!(gpu > 0)) throw new CacheSizeError('GPU memory must be more than 0 GB');
      const layout = layoutOf(s);
      const r = cacheSize({ layout, dtype: s.dtype, context: Number(s.context), batch: Number(s.batch), gpuBytes: gpu * 1e9 });
      const curve = sizeCurve(layout, s.dtype, r.context, r.batch).map((p) => ({ context: p.context, cache: p.bytes / 1e9, gpu }));
      return { r, curve, error: null };
    } catch (err) {
      return { r: null, curve: [], error: err instanceof Error ? err.message : String(err) };
    }
  }, [s]);
  const { r, curve, error } = computed;

  const controls = (
    <>
      <div className="field">
        <label htmlFor={ids('preset')}>Model</label>
        <select
          id={ids('preset')}
          value={s.preset}
          onChange={(e) => update(e.target.value === 'custom' ? { preset: 'custom' } : fromPreset(e.target.value))}
        >
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          <option value="custom">Custom</option>
        </select>
      </div>
      <fieldset className="field field-radios">
        <legend>Attention</legend>
        <label>
          <input type="radio" name={ids('kind')} checked={s.kind === 'kv'} onChange={() => edit({ kind: 'kv' })} /> standard (K and V per
          head)
        </label>
        <label>
          <input type="radio" name={ids('kind')} checked={s.kind === 'mla'} onChange={() => edit({ kind: 'mla' })} /> latent (MLA)
        </label>
      </fieldset>
      <NumberField id={ids('layers')} label="Layers" value={s.nLayer} onChange={(v) => edit({ nLayer: v })} />
      {s.kind === 'kv' ? (
        <>
          <NumberField id={ids('kv')} label="Key/value heads" value={s.nKvHead} onChange={(v) => edit({ nKvHead: v })} />
          <NumberField id={ids('hs')} label="Head size" value={s.headSize} onChange={(v) => edit({ headSize: v })} />
        </>
      ) : (
        <>
          <NumberField id={ids('latent')} label="Latent size" value={s.latent} onChange={(v) => edit({ latent: v })} />
          <NumberField id={ids('rope')} label="Rope key size" value={s.rope} min={0} onChange={(v) => edit({ rope: v })} />
        </>
      )}
      <div className="field">
        <label htmlFor={ids('dtype')}>Numbers stored as</label>
        <select id={ids('dtype')} value={s.dtype} onChange={(e) => update({ dtype: e.target.value as Dtype })}>
          {DTYPE_CHOICES.map((d) => (
            <option key={d} value={d}>
              {DTYPES[d].label}
            </option>
          ))}
        </select>
      </div>
      <NumberField id={ids('context')} label="Context (tokens)" value={s.context} step={1024} onChange={(v) => update({ context: v })} />
      <NumberField id={ids('batch')} label="Sequences at once" value={s.batch} onChange={(v) => update({ batch: v })} />
      <NumberField id={ids('gpu')} label="GPU memory (GB)" value={s.gpuGb} step={8} onChange={(v) => update({ gpuGb: v })} />
    </>
  );

  return (
    <LiveCell
      title="How big is the cache?"
      name="cache-size"
      description="The formula for one model at a time: pick a real model or type your own numbers."
      controls={controls}
      onReset={reset}
    >
      {preset ? (
        <p className="cell-hint" data-preset={preset.id}>
          {preset.note} Source:{' '}
          <a href={preset.source.url.startsWith('/') ? assetPath(preset.source.url) : preset.source.url}>{preset.source.label}</a>
          {preset.maxContext < Number(s.context) ? ` — configured for at most ${preset.maxContext.toLocaleString('en-US')} tokens.` : '.'}
        </p>
      ) : (
        <p className="cell-hint" data-preset="custom">
          Custom numbers: no source.
        </p>
      )}
      {error || !r ? (
        <p className="cell-message error" role="alert">
          {error}. Change the value to a whole number above zero.
        </p>
      ) : (
        <>
          <dl className="stats" aria-live="polite">
            <div>
              <dt>Per token</dt>
              <dd data-bytes-per-token={r.bytesPerToken}>{formatBinary(r.bytesPerToken)}</dd>
            </div>
            <div>
              <dt>Per sequence ({r.context.toLocaleString('en-US')} tokens)</dt>
              <dd data-bytes-per-sequence={r.bytesPerSequence}>{formatBinary(r.bytesPerSequence)}</dd>
            </div>
            <div>
              <dt>
                All {r.batch.toLocaleString('en-US')} sequence{r.batch === 1 ? '' : 's'}
              </dt>
              <dd data-total-bytes={r.totalBytes}>
                {formatBinary(r.totalBytes)} <span className="num">({formatDecimal(r.totalBytes)})</span>
              </dd>
            </div>
            <div>
              <dt>GPU left for weights and the rest</dt>
              <dd data-gpu-left={r.gpuFractionLeft}>
                {r.gpuFractionLeft! >= 0
                  ? `${(100 * r.gpuFractionLeft!).toFixed(1)}%`
                  : `none: the cache needs ${(1 - r.gpuFractionLeft!).toFixed(2)}× the GPU`}
              </dd>
            </div>
          </dl>
          <p className="formula formula-wrap" data-formula>
            {r.formula}
          </p>
          <LineChartCell
            name="cache-size"
            caption={
              `Cache size in GB (10⁹ bytes) for ${r.batch.toLocaleString('en-US')} ` +
              `sequence${r.batch === 1 ? '' : 's'} against context length, with the GPU's ${s.gpuGb} GB as a ` +
              `line`
            }
            data={curve}
            xKey="context"
            xLabel="Context (tokens)"
            yLabel="GB"
            height={260}
            formatY={(v) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2))}
            series={[
              { key: 'cache', label: 'KV cache' },
              { key: 'gpu', label: 'GPU memory', dashed: true },
            ]}
          />
        </>
      )}
    </LiveCell>
  );
}
