'use client';

import { useId, useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { LineChartCell, type ChartRow } from '@/components/charts/LineChartCell';
import { ModelGate } from '@/components/model/ModelGate';
import { useModel } from '@/lib/hooks/useModel';
import { useBudgetSweep } from '@/lib/hooks/useKeepLess';
import { useValPassage } from '@/lib/hooks/useValPassage';
import { POLICY_KINDS, POLICY_LABELS } from '@/lib/lessons/policies';
import type { SweepPoint } from '@/lib/lessons/keep-less';
import './keep-less.css';

const BUDGETS = [16, 32, 64, 128, 256];
const LENGTHS = [65, 129, 257];
const DEFAULTS = { tokens: 257 };
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—'); // a policy not measured yet has no value

/** Loss per character on the held-out passage against the cache budget, per policy, measured live. */
export function BudgetSweepCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, { name: 'sweep', allowed: { tokens: LENGTHS } });
  const lengthId = useId();
  const m = useModel('austen');
  const passage = useValPassage();
  const sweep = useBudgetSweep(m.model);
  const full = sweep.points.find((p) => p.kind === null);
  const running = sweep.status === 'running';

  const rows = useMemo((): ChartRow[] => {
    const at = (kind: string, b: number) => sweep.points.find((p: SweepPoint) => p.kind === kind && p.budget === b);
    return BUDGETS.map((budget) => {
      const row: ChartRow = { budget };
      if (full) row.full = full.lossPerChar;
      for (const k of POLICY_KINDS) {
        const p = at(k, budget);
        if (p) row[k] = p.lossPerChar;
      }
      return row;
    });
  }, [sweep.points, full]);

  const controls = (
    <>
      <div className="field">
        <label htmlFor={lengthId}>Tokens of the passage to score</label>
        <select id={lengthId} value={state.tokens} disabled={running} onChange={(e) => update({ tokens: Number(e.target.value) })}>
          {LENGTHS.map((n) => (
            <option key={n} value={n}>
              {n - 1} predictions
            </option>
          ))}
        </select>
      </div>
      {running ? (
        <button type="button" className="button" onClick={sweep.cancel}>
          Cancel
        </button>
      ) : (
        <button
          type="button"
          className="button"
          disabled={m.status !== 'ready' || !passage.text}
          onClick={() => passage.text && sweep.run(passage.text, { kinds: POLICY_KINDS, budgets: BUDGETS, tokens: state.tokens })}
        >
          Measure loss against budget
        </button>
      )}
    </>
  );

  return (
    <LiveCell
      title="How much does keeping less cost?"
      name="budget-sweep"
      description={
        'Loss per character of the Austen model on a held-out passage, read one token at a time through ' +
        'each policy at each budget, on this device.'
      }
      onReset={() => {
        sweep.reset();
        resetCell();
      }}
      controls={controls}
    >
      <ModelGate model={m} label="the Austen model">
        {passage.error ? (
          <p className="error" role="alert">
            {passage.error}
          </p>
        ) : null}
        <p className="cell-hint" data-passage-chars={passage.text?.length ?? 0}>
          Passage: {passage.source ?? 'loading…'} (never seen in training). Each run starts from an empty cache.
        </p>
        {sweep.total > 0 ? (
          <div className="sweep-progress">
            <progress aria-label="Measurement progress" max={sweep.total} value={sweep.done} />
            <span aria-live="polite" data-sweep-status={sweep.status}>
              {sweep.status === 'done'
                ? `Done: ${sweep.points.length} runs, ${sweep.total} steps.`
                : `${sweep.done} of ${sweep.total} steps`}
            </span>
          </div>
        ) : null}
        {sweep.error ? (
          <p className={sweep.status === 'error' ? 'error' : 'cell-hint'} role={sweep.status === 'error' ? 'alert' : 'status'}>
            {sweep.error}
          </p>
        ) : null}
        <LineChartCell
          name="loss-budget"
          caption={
            'Loss per character (nats) on the held-out passage against the cache budget in rows, for each ' +
            'policy; the full cache as the reference'
          }
          data={rows}
          xKey="budget"
          xLabel="Cache budget (rows)"
          yLabel="nats / char"
          yDomain={['auto', 'auto']}
          formatY={f3}
          height={280}
          tableOpen={sweep.status === 'done'}
          series={[
            { key: 'window', label: POLICY_LABELS.window },
            { key: 'sinks', label: POLICY_LABELS.sinks },
            { key: 'h2o', label: POLICY_LABELS.h2o },
            { key: 'full', label: 'Full cache', dashed: true },
          ]}
        />
        {full ? (
          <p data-full-loss={full.lossPerChar}>
            Full cache: <strong>{f3(full.lossPerChar)}</strong> nats per character ({f3(full.lossPerToken)} per token) over {full.budget}{' '}
            predictions. A budget at least as large as the passage evicts nothing, so it must land exactly on this line.
          </p>
        ) : null}
        {sweep.sinks ? (
          <>
            <p className="section-label">
              Is position 0 a sink? Attention it draws, measured on the same passage (queries at position ≥ 32)
            </p>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Attention on position 0 per layer">
              <table className="num-table" data-sinks="">
                <thead>
                  <tr>
                    <th scope="col">Layer</th>
                    <th scope="col">Weight on position 0</th>
                    <th scope="col">If spread evenly</th>
                    <th scope="col">On the 4 newest positions</th>
                  </tr>
                </thead>
                <tbody>
                  {sweep.sinks.map((s) => (
                    <tr key={s.layer}>
                      <td>{s.layer + 1}</td>
                      <td data-first={s.first}>{(s.first * 100).toFixed(1)}%</td>
                      <td>{(s.even * 100).toFixed(1)}%</td>
                      <td>{(s.recent * 100).toFixed(1)}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </ModelGate>
    </LiveCell>
  );
}
