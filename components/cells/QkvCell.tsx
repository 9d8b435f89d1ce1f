'use client';

import { useId, useMemo, useState } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { Heatmap } from '@/components/viz/Heatmap';
import { TokenStrip } from '@/components/viz/TokenStrip';
import { AttentionStages } from './AttentionStages';
import { useModel, type ModelName } from '@/lib/hooks/useModel';
import { useAttentionTrace } from '@/lib/hooks/useAttentionTrace';
import { headStep } from '@/lib/lessons/qkv';
import type { GPTConfig, PlainTrace } from '@/lib/gpt';

/** The most tokens the cell traces: enough for a sentence, few enough for a readable T×T map. */
const MAX_TOKENS = 32;

const DEFAULTS = {
  modelName: 'austen' as ModelName,
  prompt: 'It is a truth universally acknowledged, that a single man',
  layer: 0,
  head: 0,
  /** -1: the last token. */
  position: -1,
};

const show = (label: string) => label.replace(/ /g, '\u00b7') || '\u2205';

/** Lesson 3: one head of one layer at one position — q, the cached k and v, every stage, the map. */
export function QkvCell() {
  const [state, update, reset] = useCellState(DEFAULTS, {
    name: 'qkv',
    allowed: { modelName: ['austen', 'austen-gqa'], layer: intIn(0, 3), head: intIn(0, 3), position: intIn(-1, MAX_TOKENS - 1) },
  });
  const model = useModel(state.modelName);
  const traced = useAttentionTrace(model.model, model.tokenizer, state.prompt, MAX_TOKENS);
  const config = model.model?.config ?? null;
  const T = traced.ids.length;
  const t = T === 0 ? 0 : state.position < 0 || state.position >= T ? T - 1 : state.position;
  const ids = { model: useId(), layer: useId(), head: useId(), pos: useId() };

  const controls = (
    <>
      <div className="field">
        <label htmlFor={ids.model}>Model</label>
        <select id={ids.model} value={state.modelName} onChange={(e) => update({ modelName: e.target.value as ModelName, head: 0 })}>
          <option value="austen">austen — 4 query heads, 4 key/value heads</option>
          <option value="austen-gqa">austen-gqa — 4 query heads share 1 key/value head</option>
        </select>
      </div>
      <PromptBox
        value={state.prompt}
        onChange={(prompt) => update({ prompt, position: -1 })}
        tokenCount={model.tokenizer ? model.tokenizer.encode(state.prompt).length : null}
        notice={T === MAX_TOKENS ? `Only the first ${MAX_TOKENS} tokens are traced, to keep the maps readable.` : null}
        error={traced.status === 'error' ? traced.error : null}
        rows={2}
      />
      <div className="field">
        <label htmlFor={ids.layer}>Layer</label>
        <select id={ids.layer} value={state.layer} onChange={(e) => update({ layer: Number(e.target.value) })}>
          {Array.from({ length: config?.nLayer ?? 4 }, (_, i) => (
            <option key={i} value={i}>
              Layer {i}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.head}>Query head</label>
        <select id={ids.head} value={state.head} onChange={(e) => update({ head: Number(e.target.value) })}>
          {Array.from({ length: config?.nHead ?? 4 }, (_, i) => (
            <option key={i} value={i}>
              Head {i}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.pos}>
          Step: the newest token is at position <output htmlFor={ids.pos}>{t}</output>
        </label>
        <input
          id={ids.pos}
          type="range"
          min={0}
          max={Math.max(0, T - 1)}
          value={t}
          disabled={T === 0}
          onChange={(e) => update({ position: Number(e.target.value) })}
        />
      </div>
    </>
  );

  return (
    <LiveCell
      name="qkv"
      title="One head, one step: queries, keys and values"
      description="A single uncached pass over the prompt, traced. Pick a layer, a head and the position whose query we follow."
      controls={controls}
      onReset={reset}
    >
      <ModelGate model={model} label={`the ${state.modelName} model`}>
        {config && traced.trace ? (
          <QkvView trace={traced.trace} labels={traced.labels} config={config} layer={state.layer} head={state.head} t={t} />
        ) : (
          <p className="viz-note" aria-live="polite">
            {traced.status === 'error' ? traced.error : 'Tracing the prompt…'}
          </p>
        )}
      </ModelGate>
    </LiveCell>
  );
}

interface QkvViewProps {
  trace: PlainTrace;
  labels: string[];
  config: GPTConfig;
  layer: number;
  head: number;
  t: number;
}

function QkvView({ trace, labels, config, layer, head, t }: QkvViewProps) {
  const [point, setPoint] = useState<number | null>(null);
  const layerTrace = trace[Math.min(layer, trace.length - 1)];
  const step = useMemo(() => headStep(layerTrace, head, t, config.nHead), [layerTrace, head, t, config.nHead]);
  const hs = config.nEmbd / config.nHead;
  const shown = labels.map(show);
  const upTo = shown.slice(0, t + 1);
  const gqa = config.nKvHead < config.nHead;
  return (
    <div data-qkv-layer={layer} data-qkv-head={head} data-qkv-position={t}>
      <TokenStrip labels={labels} current={t} highlight={point} onPoint={setPoint} label="Traced tokens" />
      {gqa ? (
        <p className="viz-note" data-gqa-note="">
          This model has {config.nKvHead} key/value {config.nKvHead === 1 ? 'head' : 'heads'} for {config.nHead} query heads, so query head{' '}
          {head} reads key/value head ⌊{head} / {config.nHead / config.nKvHead}⌋ = {step.kvHead}.
        </p>
      ) : null}
      <Heatmap
        name="q"
        caption={`q: the query of “${shown[t]}” (position ${t}), layer ${layer}, head ${head} — ${hs} numbers. Used now, never cached.`}
        rows={[step.q]}
        rowLabels={[shown[t]]}
        highlight={point === t ? 0 : null}
        onPoint={(i) => setPoint(i === null ? null : t)}
      />
      <Heatmap
        name="k"
        caption={`K: the cached keys of positions 0…${t}, key/value head ${step.kvHead} (rows: positions; columns: the ${hs} dimensions).`}
        rows={step.k}
        rowLabels={upTo}
        highlight={point}
        onPoint={setPoint}
      />
      <Heatmap
        name="v"
        caption={`V: the cached values of positions 0…${t}, key/value head ${step.kvHead}.`}
        rows={step.v}
        rowLabels={upTo}
        highlight={point}
        onPoint={setPoint}
      />
      <h3 className="viz-subhead">Stage by stage</h3>
      <AttentionStages step={step} labels={labels} hs={hs} highlight={point} onPoint={setPoint} />
      <Heatmap
        name="output"
        caption={`The output: Σⱼ softmaxⱼ · vⱼ over positions 0…${t}, computed here from the numbers above (${hs} numbers, head ${head}).`}
        rows={[step.output]}
        rowLabels={['output']}
      />
      <h3 className="viz-subhead">The whole sequence at once</h3>
      <Heatmap
        name="attention-map"
        caption={
          `Attention weights of layer ${layer}, head ${head}: row = query position, column = key ` +
          `position. Above the diagonal is the masked future (weight 0).`
        }
        rows={layerTrace.weights[head]}
        rowLabels={shown}
        scale="sequential"
        cellSize={16}
        highlight={point}
        highlightColumn={point}
        onPoint={setPoint}
        digits={3}
      />
    </div>
  );
}
