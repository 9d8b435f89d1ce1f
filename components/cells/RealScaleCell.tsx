'use client';

import { useId, useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { findPreset, formatDecimal, formulaTerms } from '@/lib/lessons/cache-size';
import { LLAMA_70B_PARAMS, readClaim, servingCapacity } from '@/lib/lessons/serving';
import './keep-less.css';
import './serving.css';

const WEIGHTS = { int4: 0.5, fp8: 1, bf16: 2 } as const;
type WeightDtype = keyof typeof WEIGHTS;
const DEFAULTS = {
  gpuGB: 80,
  utilization: 0.9,
  weights: 'int4' as WeightDtype,
  kv: 'bf16' as 'bf16' | 'fp8',
  maxContext: 4096,
  meanLength: 1000,
  blockSize: 16,
};
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Sessions per GPU at real scale: Llama 3.1 70B on one GPU, contiguous reservation against paged blocks, inputs editable. */
export function RealScaleCell() {
  const [s, update, reset] = useCellState(DEFAULTS, { name: 'scale', allowed: { weights: Object.keys(WEIGHTS), kv: ['bf16', 'fp8'] } });
  const id = { gpu: useId(), util: useId(), w: useId(), kv: useId(), ctx: useId(), mean: useId(), bs: useId() };
  const layout = findPreset('llama-3.1-70b')!.layout;
  const weightBytes = LLAMA_70B_PARAMS * WEIGHTS[s.weights];
  const out = useMemo(() => {
    try {
      return {
        r: servingCapacity({
          layout,
          kvDtype: s.kv,
          gpuBytes: s.gpuGB * 1e9,
          utilization: s.utilization,
          weightBytes,
          maxContext: s.maxContext,
          meanLength: s.meanLength,
          blockSize: s.blockSize,
        }),
        error: null,
      };
    } catch (err) {
      return { r: null, error: err instanceof Error ? err.message : String(err) };
    }
  }, [layout, s, weightBytes]);
  const r = out.r;
  const claim = r ? readClaim(38, 52, s.maxContext, r.bytesPerToken) : null;

  const num = (key: 'gpuGB' | 'utilization' | 'maxContext' | 'meanLength' | 'blockSize', label: string, htmlId: string, step = 1) => (
    <div className="field">
      <label htmlFor={htmlId}>{label}</label>
      <input id={htmlId} type="number" step={step} value={s[key]} onChange={(e) => update({ [key]: Number(e.target.value) })} />
    </div>
  );

  const controls = (
    <div className="inputs-grid">
      {num('gpuGB', 'GPU memory (GB)', id.gpu)}
      {num('utilization', 'Share the server may use', id.util, 0.05)}
      <div className="field">
        <label htmlFor={id.w}>Weights (70.6 B parameters)</label>
        <select id={id.w} value={s.weights} onChange={(e) => update({ weights: e.target.value as WeightDtype })}>
          <option value="int4">int4: {formatDecimal(LLAMA_70B_PARAMS * 0.5)}</option>
          <option value="fp8">fp8: {formatDecimal(LLAMA_70B_PARAMS)}</option>
          <option value="bf16">bf16: {formatDecimal(LLAMA_70B_PARAMS * 2)}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={id.kv}>Cache precision</label>
        <select id={id.kv} value={s.kv} onChange={(e) => update({ kv: e.target.value as 'bf16' | 'fp8' })}>
          <option value="bf16">bf16 (2 bytes)</option>
          <option value="fp8">fp8 (1 byte)</option>
        </select>
      </div>
      {num('maxContext', 'Context reserved per session', id.ctx)}
      {num('meanLength', 'Mean session length (positions)', id.mean)}
      {num('blockSize', 'Block size (positions)', id.bs)}
    </div>
  );

  return (
    <LiveCell
      title="Sessions per GPU, at real scale"
      name="real-scale"
      description="Llama 3.1 70B on one GPU. Change any input; every number below is the formula beside it."
      onReset={reset}
      controls={controls}
    >
      {out.error ? (
        <p className="error" role="alert">
          {out.error}. Fix that input to see the arithmetic.
        </p>
      ) : null}
      {r ? (
        <>
          <p className="formula">
            Per token: {formulaTerms(layout, s.kv)} = {fmt(r.bytesPerToken)} bytes
          </p>
          <pre className="lines" data-lines="">
            {r.lines.join('\n')}
          </pre>
          {r.freeBytes <= 0 ? (
            <p className="error" role="alert">
              The weights alone do not fit in {fmt(s.gpuGB * s.utilization)} GB: no room for any cache. Use smaller weights or more GPUs.
            </p>
          ) : null}
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Sessions that fit">
            <table className="num-table" data-real-scale="">
              <thead>
                <tr>
                  <th scope="col">Allocator</th>
                  <th scope="col">Per session</th>
                  <th scope="col">Share of it holding tokens</th>
                  <th scope="col">Sessions that fit</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Contiguous, {fmt(s.maxContext)} reserved</th>
                  <td>{formatDecimal(r.contiguous.bytesPerSession)}</td>
                  <td>{(100 * r.contiguous.usedShare).toFixed(1)}%</td>
                  <td data-contiguous-sessions={r.contiguous.sessions}>{r.contiguous.sessions}</td>
                </tr>
                <tr>
                  <th scope="row">Paged, {r.paged.blocksPerSession} blocks</th>
                  <td>{formatDecimal(r.paged.bytesPerSession)}</td>
                  <td>{(100 * r.paged.usedShare).toFixed(1)}%</td>
                  <td data-paged-sessions={r.paged.sessions}>{r.paged.sessions}</td>
                </tr>
              </tbody>
            </table>
          </div>
          {claim ? (
            <>
              <p className="section-label">Reading the quoted &ldquo;38 → 52 sessions per GPU&rdquo; backwards</p>
              <p data-claim-share={claim.impliedUsedShare}>
                52 / 38 = {claim.ratio.toFixed(2)}×. A paged allocator wastes less than one block per session, so its gain over reserving{' '}
                {fmt(s.maxContext)} positions is about {fmt(s.maxContext)} / mean length. The claim therefore assumes sessions that fill{' '}
                <strong>{(100 * claim.impliedUsedShare).toFixed(0)}%</strong> of their reservation on average (about{' '}
                {fmt(Math.round(claim.impliedMeanLength))} of {fmt(s.maxContext)} positions), and, at {fmt(r.bytesPerToken)} bytes a token,{' '}
                {formatDecimal(claim.impliedFreeBytes[0])} to {formatDecimal(claim.impliedFreeBytes[1])} of memory for the cache. With the
                inputs above, sessions fill {(100 * r.contiguous.usedShare).toFixed(0)}% of their reservation and paging gives{' '}
                {Number.isNaN(r.ratio) ? '—' : `${r.ratio.toFixed(2)}×`}.
              </p>
            </>
          ) : null}
        </>
      ) : null}
    </LiveCell>
  );
}
