'use client';

import { useCallback, useEffect, useId, useState } from 'react';
import { intIn } from '@/lib/lessons/url-state';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { ModelGate } from '@/components/model/ModelGate';
import { Heatmap } from '@/components/viz/Heatmap';
import { useAttentionTrace } from '@/lib/hooks/useAttentionTrace';
import { useModel, type ModelName } from '@/lib/hooks/useModel';
import { kvHeadOf, type ModelMeasurement } from '@/lib/lessons/gqa';
import { getClient } from '@/lib/worker/client';
import { useValPassage } from '@/lib/hooks/useValPassage';
import './kv-cells.css';
import './size-cells.css';

/** The models compared, most key/value heads first. Any model under public/models/ with the same shape fits. */
const MODELS: { name: ModelName; label: string }[] = [
  { name: 'austen', label: '4 key/value heads (multi-head)' },
  { name: 'austen-gqa2', label: '2 key/value heads (grouped-query)' },
  { name: 'austen-gqa', label: '1 key/value head (multi-query)' },
];
const SENTENCE = 'Mr. Collins was not left long to the silent contemplation';
const DEFAULTS = { layer: 0, head: 0 };

type Result = { ok: true; m: ModelMeasurement; cardValPerChar: number | null } | { ok: false; error: string };

/** The whole-validation-split loss the model card reports, when the card says it. */
async function cardValLoss(name: ModelName): Promise<number | null> {
  const { assetPath } = await import('@/lib/paths');
  const res = await fetch(assetPath(`/models/${name}/card.json`));
  if (!res.ok) return null;
  const card = (await res.json()) as { loss?: { valPerChar?: number } };
  return typeof card.loss?.valPerChar === 'number' ? card.loss.valPerChar : null;
}

/** One model: its head sharing, its attention map, and its measurement when `run` changes. */
function ModelColumn(props: {
  name: ModelName;
  label: string;
  text: string | null;
  run: number;
  layer: number;
  head: number;
  onResult: (name: ModelName, r: Result) => void;
}) {
  const { name, label, text, run, layer, head, onResult } = props;
  const m = useModel(name);
  const traced = useAttentionTrace(m.model, m.tokenizer, SENTENCE, 16);
  const c = m.info?.config;
  const loadError = m.status === 'error' ? (m.error?.message ?? 'the model did not load') : null;
  useEffect(() => {
    if (run > 0 && loadError) onResult(name, { ok: false, error: loadError });
  }, [run, loadError, name, onResult]);
  useEffect(() => {
    if (run === 0 || !m.model || !m.tokenizer || !text) return;
    let live = true;
    Promise.all([getClient().call('measureModel', { model: m.model.key, text }), cardValLoss(name).catch(() => null)]).then(
      ([r, card]) => live && onResult(name, { ok: true, m: r, cardValPerChar: card }),
      (err: unknown) => live && onResult(name, { ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [run, m.model, m.tokenizer, text, name, onResult]);

  const groups = c ? kvHeadOf(c.nHead, c.nKvHead) : [];
  const weights = traced.trace?.[Math.min(layer, traced.trace.length - 1)]?.weights[head];
  return (
    <div className="gqa-column" data-model={name}>
      <h3>{label}</h3>
      <ModelGate model={m} label={name}>
        <p className="gqa-groups" data-groups={groups.join(',')}>
          {Array.from({ length: c?.nKvHead ?? 0 }, (_, j) => (
            <span key={j} className={`gqa-group gqa-group-${j % 4}`}>
              KV head {j} ← query heads {groups.flatMap((g, h) => (g === j ? [h] : [])).join(', ')}
            </span>
          ))}
        </p>
        {weights ? (
          <Heatmap
            name={`attention-${name}`}
            caption={
              `${name}, layer ${layer}, query head ${head} (reads KV head ${groups[head]}): row = query ` +
              `position, column = key position`
            }
            rows={weights}
            rowLabels={traced.labels}
            scale="sequential"
            domain={1}
            cellSize={11}
            digits={2}
          />
        ) : (
          <p className="cell-hint">{traced.error ?? 'Tracing attention…'}</p>
        )}
      </ModelGate>
    </div>
  );
}

/** "Fewer key/value heads": loss and cache bytes of 4, 2 and 1 key/value heads, and who shares what. */
export function GqaCompareCell() {
  const [s, update, resetCell] = useCellState(DEFAULTS, { name: 'gqa', allowed: { layer: intIn(0, 63), head: intIn(0, 63) } });
  const ids = { layer: useId(), head: useId() };
  const passage = useValPassage();
  const [run, setRun] = useState(0);
  const [results, setResults] = useState<Partial<Record<ModelName, Result>>>({});
  const onResult = useCallback((name: ModelName, r: Result) => setResults((all) => ({ ...all, [name]: r })), []);
  const pending = run > 0 && MODELS.some((x) => !results[x.name]);

  const done = MODELS.flatMap((x) => {
    const r = results[x.name];
    return r?.ok ? [{ ...x, ...r }] : [];
  });
  const rows = done
    // A model without a card figure leaves a gap in the dashed line rather than a made-up point.
    .map((d) => ({
      bytes: d.m.cacheBytesPerToken,
      passage: d.m.lossPerChar,
      ...(d.cardValPerChar === null ? {} : { split: d.cardValPerChar }),
    }))
    .sort((a, b) => a.bytes - b.bytes);

  const controls = (
    <>
      <button
        type="button"
        className="button button-primary"
        onClick={() => {
          setResults({});
          setRun((r) => r + 1);
        }}
        disabled={!passage.text || pending}
      >
        {pending ? 'Measuring…' : 'Measure on the held-out passage'}
      </button>
      <div className="field field-number">
        <label htmlFor={ids.layer}>Layer</label>
        <select id={ids.layer} value={s.layer} onChange={(e) => update({ layer: Number(e.target.value) })}>
          {[0, 1, 2, 3].map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-number">
        <label htmlFor={ids.head}>Query head</label>
        <select id={ids.head} value={s.head} onChange={(e) => update({ head: Number(e.target.value) })}>
          {[0, 1, 2, 3].map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </div>
    </>
  );

  return (
    <LiveCell
      title="4, 2 and 1 key/value heads"
      name="gqa-compare"
      description={
        'Three Austen models that differ only in how many key/value heads their query heads share. ' +
        'Measured here, on text none of them was trained on.'
      }
      controls={controls}
      onReset={() => {
        resetCell();
        setResults({});
        setRun(0);
      }}
    >
      <p className="cell-hint" data-passage-chars={passage.text?.length ?? 0}>
        {passage.error ??
          (passage.text
            ? `Held-out passage: ${passage.source}, ${passage.text.length.toLocaleString('en-US')} characters.`
            : 'Loading the held-out passage…')}
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Measurements per model">
        <table className="data-table myth-table" data-gqa-results={done.length}>
          <caption>
            Measured on the passage in this browser; the last column is the model card&apos;s figure for the whole validation split
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Bytes per token, measured</th>
              <th scope="col">Formula</th>
              <th scope="col">Loss per char, passage (nats)</th>
              <th scope="col">Loss per char, whole val split (card)</th>
            </tr>
          </thead>
          <tbody>
            {MODELS.map((x) => {
              const r = results[x.name];
              return (
                <tr key={x.name} data-row={x.name}>
                  <th scope="row">{x.label}</th>
                  {r?.ok ? (
                    <>
                      <td data-bytes={r.m.cacheBytesPerToken}>{r.m.cacheBytesPerToken.toLocaleString('en-US')}</td>
                      <td>{r.m.formulaBytesPerToken.toLocaleString('en-US')}</td>
                      <td data-loss={r.m.lossPerChar}>{r.m.lossPerChar.toFixed(4)}</td>
                      <td>{r.cardValPerChar === null ? '—' : r.cardValPerChar.toFixed(4)}</td>
                    </>
                  ) : (
                    <td colSpan={4}>{r && !r.ok ? `Failed: ${r.error}` : run > 0 ? 'measuring…' : 'not measured yet'}</td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > 0 ? (
        <LineChartCell
          name="gqa-loss-bytes"
          caption="Loss per character (nats, lower is better) against cache bytes per token, one point per model"
          data={rows}
          xKey="bytes"
          xLabel="Cache bytes per token"
          yLabel="Loss per character"
          yDomain={['auto', 'auto']}
          height={240}
          formatY={(v) => (Number.isFinite(v) ? v.toFixed(3) : '—')}
          series={[
            { key: 'passage', label: 'Held-out passage (measured here)' },
            { key: 'split', label: 'Whole validation split (model card)', dashed: true },
          ]}
        />
      ) : null}
      <p className="section-label">Who shares what, and where each model looks (same sentence, same layer and query head)</p>
      <div className="gqa-columns">
        {MODELS.map((x) => (
          <ModelColumn key={x.name} {...x} text={passage.text} run={run} layer={s.layer} head={s.head} onResult={onResult} />
        ))}
      </div>
    </LiveCell>
  );
}
