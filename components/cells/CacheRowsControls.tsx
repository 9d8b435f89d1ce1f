import { useId } from 'react';
import { DecodingPicker } from '@/components/model/DecodingPicker';
import { PromptBox } from '@/components/model/PromptBox';
import { StepControls, busyText } from '@/components/model/StepControls';
import type { UseGeneration } from '@/lib/hooks/useGeneration';
import type { ModelName, UseModel } from '@/lib/hooks/useModel';
import type { DecodingMode } from '@/lib/lessons/decoding';
import { ROWS_MODELS } from './CacheRowsCompare';

/** What the cache-rows cell keeps in its state (and in the URL). */
export type RowsState = { prompt: string; modelName: ModelName; layer: number; decoding: DecodingMode; seed: number };

interface Props {
  state: RowsState;
  update: (patch: Partial<RowsState>) => void;
  /** A new decoding mode or seed: both models' runs start over. */
  onDecoding: (patch: Partial<RowsState>) => void;
  /** The prompt's length in tokens, once the tokenizer is loaded. */
  tokenCount: number | null;
  model: UseModel;
  gen: UseGeneration;
}

/** The prompt, the model and the layer to show, the decoding, and Step / Play. */
export function CacheRowsControls({ state, update, onDecoding, tokenCount, model: m, gen }: Props) {
  const ids = { model: useId(), layer: useId() };
  const c = m.info?.config;
  return (
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
        {(Object.keys(ROWS_MODELS) as ModelName[]).map((name) => (
          <label key={name}>
            <input
              type="radio"
              name={ids.model}
              value={name}
              checked={state.modelName === name}
              onChange={() => update({ modelName: name })}
            />
            {ROWS_MODELS[name]}
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
        onChange={({ mode, seed }) => onDecoding({ ...(mode ? { decoding: mode } : {}), ...(seed !== undefined ? { seed } : {}) })}
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
}
