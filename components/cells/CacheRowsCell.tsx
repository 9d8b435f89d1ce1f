'use client';

import { useId, useMemo, useState } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { DecodingPicker } from '@/components/model/DecodingPicker';
import { intIn } from '@/lib/lessons/url-state';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { ModelGate } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { StepControls, busyText } from '@/components/model/StepControls';
import { useGeneration, type ViewToken } from '@/lib/hooks/useGeneration';
import { DEFAULT_SEED, type DecodingMode, decodingLabel, samplingFor } from '@/lib/lessons/decoding';
import { useModel, type ModelName } from '@/lib/hooks/useModel';
import { cacheBytesFormula, diffRows, rowsOf } from '@/lib/lessons/cache-rows';
import { firstDifference, maxAbs } from '@/lib/stats';
import type { PlainLayerKV } from '@/lib/gpt/kvcache';
import { CacheHeatmap } from './CacheHeatmap';
import { Message } from './OneTokenCell';
import './kv-cells.css';

const MODELS: Partial<Record<ModelName, string>> = {
  austen: 'Multi-head: 4 key/value heads',
  'austen-gqa': 'Multi-query: 1 key/value head',
};
const DEFAULTS = {
  prompt: 'Emma Woodhouse, handsome, clever, and rich,',
  modelName: 'austen' as ModelName,
  layer: 0,
  decoding: 'sampled' as DecodingMode,
  seed: DEFAULT_SEED,
};
const MAX_NEW = 40;
const ROW_H = 16;
const fmt = (n: number) => n.toLocaleString('en-US');

/** A finished or running generation of one model, kept to compare the two models on the same prompt. */
interface Run {
  prompt: string;
  ids: number[];
  text: string;
  cacheLength: number;
  cacheBytes: number;
}

function largestOldRowChange(before: PlainLayerKV[] | null, after: PlainLayerKV[] | null): number | null {
  if (!before || !after || before.length !== after.length) return null;
  let max = 0;
  after.forEach((layer, l) => {
    max = Math.max(max, diffRows(rowsOf(before[l].k), rowsOf(layer.k)).maxOldRowChange);
    max = Math.max(max, diffRows(rowsOf(before[l].v), rowsOf(layer.v)).maxOldRowChange);
  });
  return max;
}

function Compare({ runs, prompt }: { runs: Partial<Record<ModelName, Run>>; prompt: string }) {
  const a = runs.austen?.prompt === prompt ? runs.austen : undefined;
  const b = runs['austen-gqa']?.prompt === prompt ? runs['austen-gqa'] : undefined;
  if (!a || !b) {
    return (
      <p className="cell-hint">
        Step one model, switch to the other and step it too: the two runs appear here side by side.
      </p>
    );
  }
  const n = Math.min(a.ids.length, b.ids.length);
  const d = firstDifference(a.ids.slice(0, n), b.ids.slice(0, n)); // only the tokens both runs have
  const k = d < 0 ? null : d;
  const perA = a.cacheBytes / Math.max(1, a.cacheLength);
  const perB = b.cacheBytes / Math.max(1, b.cacheLength);
  return (
    <div data-compare="">
      <div className="compare">
        {[a, b].map((run, i) => (
          <div key={i}>
            <h3>{i === 0 ? MODELS.austen : MODELS['austen-gqa']}</h3>
            <p>{run.text}</p>
          </div>
        ))}
      </div>
      <p className="compare-verdict" data-differs-at={k ?? 'none'}>
        {k === null
          ? `The first ${n} generated tokens are the same.`
          : `The texts differ from generated token ${k + 1} on.`}{' '}
        Cache per position: {fmt(perA)} bytes against {fmt(perB)} bytes —{' '}
        <strong data-cache-ratio={perA / perB}>{(perA / perB).toFixed(1)}× smaller</strong> with one key/value head.
      </p>
    </div>
  );
}

/** "The KV cache, row by row": watch every layer's K and V gain one row per step, and compare GQA. */
export function CacheRowsCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, { name: 'rows', allowed: { modelName: ['austen', 'austen-gqa'], layer: intIn(0, 3) } });
  const ids = { model: useId(), layer: useId() };
  const m = useModel(state.modelName);
  const gen = useGeneration({
    model: m.model,
    tokenizer: m.tokenizer,
    prompt: state.prompt,
    sampling: samplingFor(state.decoding, state.seed),
    maxNewTokens: MAX_NEW,
    readCache: true,
    traceStep: 'every',
  });
  const c = m.info?.config;
  const tokenCount = useMemo(() => m.tokenizer?.encode(state.prompt).length ?? null, [m.tokenizer, state.prompt]);

  // Remember the previous cache read (to check old rows stay put) and each model's latest run.
  const [seen, setSeen] = useState<{ cache: PlainLayerKV[] | null; before: PlainLayerKV[] | null }>({ cache: null, before: null });
  const [runs, setRuns] = useState<Partial<Record<ModelName, Run>>>({});
  const [seenTokens, setSeenTokens] = useState<ViewToken[]>(gen.tokens);
  if (gen.cache !== seen.cache) setSeen({ cache: gen.cache, before: gen.cache ? seen.cache : null });
  if (gen.tokens !== seenTokens) {
    setSeenTokens(gen.tokens);
    if (gen.tokens.length > 0) {
      const run: Run = {
        prompt: state.prompt,
        ids: gen.tokens.map((t) => t.id),
        text: gen.tokens.map((t) => t.text).join(''),
        cacheLength: gen.cacheLength,
        cacheBytes: gen.cacheBytes,
      };
      setRuns((r) => ({ ...r, [state.modelName]: run }));
    }
  }
  const oldRowChange = largestOldRowChange(seen.before, gen.cache);

  const all = [...gen.promptTokens, ...gen.tokens];
  const T = gen.cacheLength;
  const labels = all.slice(0, T);
  const layer = gen.cache?.[state.layer];
  const kRows = useMemo(() => (layer ? rowsOf(layer.k) : []), [layer]);
  const vRows = useMemo(() => (layer ? rowsOf(layer.v) : []), [layer]);
  const scale = useMemo(() => Math.max(maxAbs(kRows), maxAbs(vRows)) || 1, [kRows, vRows]);
  const q = gen.lastTrace?.[state.layer]?.q; // [nh][Tq][hs]
  const qRow = q ? [q.flatMap((head) => head[head.length - 1])] : null;
  const hs = c ? c.nEmbd / c.nHead : 1;

  const chartRows = useMemo(() => {
    if (!c) return [];
    const mha = { ...c, nKvHead: c.nHead };
    const mqa = { ...c, nKvHead: 1 };
    const row = (t: number, measured: number) => ({ tokens: t, measured, mha: cacheBytesFormula(mha, t), mqa: cacheBytesFormula(mqa, t) });
    return [row(0, 0), ...gen.records.map((r) => row(r.cacheLength, r.cacheBytes))];
  }, [c, gen.records]);

  const reset = () => {
    gen.reset();
    resetCell();
    setRuns({});
  };

  const controls = (
    <>
      <PromptBox
        value={state.prompt}
        onChange={(prompt) => update({ prompt })}
        tokenCount={tokenCount}
        blockSize={c?.blockSize}
        notice={gen.notice}
        error={gen.message?.kind === 'empty' ? gen.message.text : null}
        rows={2}
      />
      <fieldset className="field field-radios">
        <legend>Model</legend>
        {(Object.keys(MODELS) as ModelName[]).map((name) => (
          <label key={name}>
            <input
              type="radio"
              name={ids.model}
              value={name}
              checked={state.modelName === name}
              onChange={() => update({ modelName: name })}
            />
            {MODELS[name]}
          </label>
        ))}
      </fieldset>
      <fieldset className="field field-radios">
        <legend>Layer in detail</legend>
        {Array.from({ length: c?.nLayer ?? 4 }, (_, l) => l).map((l) => (
          <label key={l}>
            <input type="radio" name={ids.layer} value={l} checked={state.layer === l} onChange={() => update({ layer: l })} />
            {l + 1}
          </label>
        ))}
      </fieldset>
      <DecodingPicker
        mode={state.decoding}
        seed={state.seed}
        disabled={gen.busy}
        onChange={({ mode, seed }) => {
          // Both models' runs must use the same decoding to be compared: start both over.
          gen.reset();
          setRuns({});
          update({ ...(mode ? { decoding: mode } : {}), ...(seed !== undefined ? { seed } : {}) });
        }}
      />
      <StepControls
        onStep={() => void gen.step()}
        onTogglePlay={gen.togglePlay}
        playing={gen.playing}
        busy={gen.busy}
        queued={gen.queued}
        busyText={busyText(m.backend, gen.records.length === 0)}
        disabled={m.status !== 'ready' || gen.status === 'done'}
      />
    </>
  );

  return (
    <LiveCell
      title="Watch the cache fill up"
      name="cache-rows"
      description="Each step appends one row of keys and one row of values to every layer. Real numbers from the model, read after each step."
      onReset={reset}
      controls={controls}
    >
      <ModelGate model={m} label={state.modelName === 'austen' ? 'the multi-head model' : 'the multi-query model'}>
        {gen.message?.kind === 'empty' ? null : <Message message={gen.message} />}
        {gen.status === 'done' && gen.stopReason === 'maxTokens' ? (
          <p className="cell-message" role="status">
            This cell stops after {MAX_NEW} tokens. Reset to start again.
          </p>
        ) : null}
        <dl className="stats">
          <div>
            <dt>Positions cached (T)</dt>
            <dd data-cache-len={T} aria-live="polite">
              {T}
            </dd>
          </div>
          <div>
            <dt>Cache size, measured</dt>
            <dd data-cache-bytes={gen.cacheBytes}>{fmt(gen.cacheBytes)} bytes</dd>
          </div>
          <div>
            <dt>Old rows changed by the last step</dt>
            <dd data-old-row-change={oldRowChange ?? 'n/a'}>
              {oldRowChange === null ? '—' : oldRowChange === 0 ? 'none' : `max |Δ| ${oldRowChange.toExponential(1)}`}
            </dd>
          </div>
        </dl>
        {c ? (
          <p className="formula" data-formula-bytes={cacheBytesFormula(c, T)}>
            2 · nLayer {c.nLayer} · nKvHead {c.nKvHead} · hs {hs} · T {T} · 4 bytes = {fmt(cacheBytesFormula(c, T))} bytes
          </p>
        ) : null}

        {T === 0 ? (
          <p className="cell-hint">Press Step: the prompt is read and its keys and values fill the first rows.</p>
        ) : (
          <>
            <p className="section-label">Layer {state.layer + 1}: keys and values, one row per position</p>
            <div className="kv-scroll" tabIndex={0} role="group" aria-label={`Layer ${state.layer + 1} cache blocks (scrolls sideways)`}>
              <div className="kv-layer">
                <ol className="kv-labels" style={{ paddingTop: '1.3rem', lineHeight: `${ROW_H}px` }} aria-label="Positions">
                  {labels.map((t, i) => (
                    <li key={t.position} className={i === labels.length - 1 ? 'kv-label-new' : undefined}>
                      {t.label.replace(/ /g, '\u00b7')}
                    </li>
                  ))}
                </ol>
                <CacheHeatmap name="k" rows={kRows} title={`K, layer ${state.layer + 1}`} scale={scale} cellWidth={2} rowHeight={ROW_H} group={hs} highlightLast />
                <CacheHeatmap name="v" rows={vRows} title={`V, layer ${state.layer + 1}`} scale={scale} cellWidth={2} rowHeight={ROW_H} group={hs} highlightLast />
              </div>
              {qRow ? (
                <div className="q-row">
                  <CacheHeatmap
                    key={gen.records.length}
                    name="q"
                    rows={qRow}
                    title={`q of the newest position, layer ${state.layer + 1}`}
                    scale={Math.max(1e-6, maxAbs(qRow))}
                    cellWidth={2}
                    rowHeight={ROW_H}
                    group={hs}
                    transient
                  />
                  <p className="q-caption">
                    q is used once, never cached: it asks this step&apos;s question of every key, then is thrown away.
                  </p>
                </div>
              ) : null}
            </div>
            <p className="kv-legend">
              <span>
                <span className="swatch swatch-neg" aria-hidden="true" />
                negative
              </span>
              <span>
                <span className="swatch swatch-pos" aria-hidden="true" />
                positive
              </span>
              <span>Grey lines separate the heads; the outlined row is the one this step added.</span>
            </p>
            <p className="section-label">All {gen.cache?.length ?? 0} layers at a glance (K then V)</p>
            <div className="kv-scroll">
              <div className="kv-overview">
                {(gen.cache ?? []).map((l, i) => (
                  <div className="kv-overview-layer" key={i}>
                    <CacheHeatmap rows={rowsOf(l.k)} title={`L${i + 1} K`} scale={scale} cellWidth={1} rowHeight={3} highlightLast />
                    <CacheHeatmap rows={rowsOf(l.v)} title={`L${i + 1} V`} scale={scale} cellWidth={1} rowHeight={3} highlightLast />
                  </div>
                ))}
              </div>
            </div>
          </>
        )}

        <p className="section-label">Cache size against tokens</p>
        <LineChartCell
          name="cache-bytes"
          caption="Bytes of the KV cache for each number of cached positions: measured on this run, and the formula for 4 and for 1 key/value heads"
          data={chartRows}
          xKey="tokens"
          xLabel="Positions cached"
          yLabel="Bytes"
          height={240}
          series={[
            { key: 'measured', label: `Measured (${state.modelName})` },
            { key: 'mha', label: 'Formula, 4 K/V heads', dashed: true },
            { key: 'mqa', label: 'Formula, 1 K/V head', dashed: true },
          ]}
        />
        <p className="section-label">The two models on the same prompt ({decodingLabel(state.decoding, state.seed)})</p>
        <Compare runs={runs} prompt={state.prompt} />
      </ModelGate>
    </LiveCell>
  );
}
