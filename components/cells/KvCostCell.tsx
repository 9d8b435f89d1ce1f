'use client';

import { useId, useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { costTable, formatBytes, formatCount, kvCacheBytes, sampleRows, type ModelShape } from '@/lib/lessons/cost';

const PRESETS: Record<string, ModelShape & { label: string }> = {
  tiny: { label: 'Tiny — 4 layers, width 128', nLayer: 4, nEmbd: 128 },
  gpt2: { label: 'GPT-2 small — 12 layers, width 768', nLayer: 12, nEmbd: 768 },
  gpt2medium: { label: 'GPT-2 medium — 24 layers, width 1024', nLayer: 24, nEmbd: 1024 },
  gpt2xl: { label: 'GPT-2 XL — 48 layers, width 1600', nLayer: 48, nEmbd: 1600 },
};

type View = 'step' | 'total';
const DEFAULTS: { preset: keyof typeof PRESETS; n: number; view: View; log: boolean } = {
  preset: 'gpt2',
  n: 1024,
  view: 'step',
  log: false,
};

/** Lesson 1: multiply-adds of a naive and a cached generation step as the sequence grows. */
export function KvCostCell() {
  const [state, update, reset] = useCellState(DEFAULTS, {
    name: 'cost',
    allowed: { preset: Object.keys(PRESETS), n: intIn(16, 4096), view: ['step', 'total'] },
  });
  const ids = { model: useId(), n: useId() };
  const shape = PRESETS[state.preset];
  const rows = useMemo(() => costTable(shape, state.n), [shape, state.n]);
  const last = rows[rows.length - 1];
  const step = state.view === 'step';
  const chartRows = useMemo(
    () =>
      sampleRows(rows, 80).map((r) => ({
        t: r.t,
        naive: step ? r.naive : r.naiveTotal,
        cached: step ? r.cached : r.cachedTotal,
      })),
    [rows, step],
  );

  const controls = (
    <>
      <div className="field">
        <label htmlFor={ids.model}>Model size</label>
        <select id={ids.model} value={state.preset} onChange={(e) => update({ preset: e.target.value })}>
          {Object.entries(PRESETS).map(([key, p]) => (
            <option key={key} value={key}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.n}>
          Sequence length <var>n</var>: <output htmlFor={ids.n}>{state.n}</output> tokens
        </label>
        <input
          id={ids.n}
          type="range"
          min={16}
          max={4096}
          step={16}
          value={state.n}
          onChange={(e) => update({ n: Number(e.target.value) })}
        />
      </div>
      <fieldset className="field field-radios">
        <legend>Plot</legend>
        <label>
          <input type="radio" name="kv-cost-view" checked={step} onChange={() => update({ view: 'step' })} /> each step
        </label>
        <label>
          <input type="radio" name="kv-cost-view" checked={!step} onChange={() => update({ view: 'total' })} /> running total
        </label>
        <label>
          <input type="checkbox" checked={state.log} onChange={(e) => update({ log: e.target.checked })} /> log scale
        </label>
      </fieldset>
    </>
  );

  return (
    <LiveCell
      name="kv-cost"
      title="Work per generated token, with and without a cache"
      description={
        <>
          Multiply-adds per step from the formula above: without a cache <code>L·(12C²t + 2Ct²)</code>, with one <code>L·(12C² + 2Ct)</code>
          .
        </>
      }
      controls={controls}
      onReset={reset}
    >
      <dl className="stats" aria-live="polite">
        <div>
          <dt>Multiply-adds for {state.n} steps, no cache</dt>
          <dd>{formatCount(last.naiveTotal)}</dd>
        </div>
        <div>
          <dt>Multiply-adds with a cache</dt>
          <dd>{formatCount(last.cachedTotal)}</dd>
        </div>
        <div>
          <dt>Work saved</dt>
          <dd>{(last.naiveTotal / last.cachedTotal).toFixed(1)}× less</dd>
        </div>
        <div>
          <dt>Cache at {state.n} tokens (32-bit floats)</dt>
          <dd>{formatBytes(kvCacheBytes(shape, state.n))}</dd>
        </div>
      </dl>
      <LineChartCell
        name="kv-cost"
        caption={
          step
            ? `Multiply-adds for the step at length t (it reads token t and predicts the next), ${shape.label}.`
            : `Multiply-adds summed over steps 1…t, ${shape.label}.`
        }
        data={chartRows}
        tableRows={sampleRows(chartRows, 9)}
        xKey="t"
        xLabel="Sequence length t"
        yLabel={step ? 'Multiply-adds per step' : 'Multiply-adds so far'}
        series={[
          { key: 'naive', label: 'Without cache' },
          { key: 'cached', label: 'With KV cache' },
        ]}
        formatY={formatCount}
        yScale={state.log ? 'log' : 'linear'}
      />
    </LiveCell>
  );
}
