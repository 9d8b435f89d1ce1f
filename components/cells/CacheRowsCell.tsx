'use client';

import { useMemo, useState } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { useGeneration, type ViewToken } from '@/lib/hooks/useGeneration';
import { DEFAULT_SEED, decodingLabel, samplingFor } from '@/lib/lessons/decoding';
import { useModel, type ModelName } from '@/lib/hooks/useModel';
import { diffRows, rowsOf } from '@/lib/lessons/cache-rows';
import { maxAbs } from '@/lib/stats';
import type { PlainLayerKV } from '@/lib/gpt/kvcache';
import { CacheRowsBlocks } from './CacheRowsBlocks';
import { CacheRowsChart } from './CacheRowsChart';
import { CacheRowsCompare, type Run } from './CacheRowsCompare';
import { CacheRowsControls, type RowsState } from './CacheRowsControls';
import { CacheRowsStats } from './CacheRowsStats';
import { Message } from './OneTokenCell';
import './kv-cells.css';

const DEFAULTS: RowsState = {
  prompt: 'Emma Woodhouse, handsome, clever, and rich,',
  modelName: 'austen',
  layer: 0,
  decoding: 'sampled',
  seed: DEFAULT_SEED,
};
const MAX_NEW = 40;

function largestOldRowChange(before: PlainLayerKV[] | null, after: PlainLayerKV[] | null): number | null {
  if (!before || !after || before.length !== after.length) return null;
  let max = 0;
  after.forEach((layer, l) => {
    max = Math.max(max, diffRows(rowsOf(before[l].k), rowsOf(layer.k)).maxOldRowChange);
    max = Math.max(max, diffRows(rowsOf(before[l].v), rowsOf(layer.v)).maxOldRowChange);
  });
  return max;
}

/** "The KV cache, row by row": watch every layer's K and V gain one row per step, and compare GQA. */
export function CacheRowsCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, {
    name: 'rows',
    allowed: { modelName: ['austen', 'austen-gqa'], layer: intIn(0, 3) },
  });
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

  const reset = () => {
    gen.reset();
    resetCell();
    setRuns({});
  };
  const onDecoding = (patch: Partial<RowsState>) => {
    // Both models' runs must use the same decoding to be compared: start both over.
    gen.reset();
    setRuns({});
    update(patch);
  };

  return (
    <LiveCell
      title="Watch the cache fill up"
      name="cache-rows"
      description={
        'Each step appends one row of keys and one row of values to every layer. Real numbers from the ' + 'model, read after each step.'
      }
      onReset={reset}
      controls={<CacheRowsControls state={state} update={update} onDecoding={onDecoding} tokenCount={tokenCount} model={m} gen={gen} />}
    >
      <ModelGate model={m} label={state.modelName === 'austen' ? 'the multi-head model' : 'the multi-query model'}>
        {gen.message?.kind === 'empty' ? null : <Message message={gen.message} />}
        {gen.status === 'done' && gen.stopReason === 'maxTokens' ? (
          <p className="cell-message" role="status">
            This cell stops after {MAX_NEW} tokens. Reset to start again.
          </p>
        ) : null}
        <CacheRowsStats T={T} cacheBytes={gen.cacheBytes} oldRowChange={oldRowChange} config={c} hs={hs} />

        <CacheRowsBlocks
          T={T}
          layer={state.layer}
          labels={labels}
          kRows={kRows}
          vRows={vRows}
          scale={scale}
          qRow={qRow}
          hs={hs}
          steps={gen.records.length}
          cache={gen.cache}
        />

        <CacheRowsChart config={c} records={gen.records} modelName={state.modelName} />
        <p className="section-label">The two models on the same prompt ({decodingLabel(state.decoding, state.seed)})</p>
        <CacheRowsCompare runs={runs} prompt={state.prompt} />
      </ModelGate>
    </LiveCell>
  );
}
