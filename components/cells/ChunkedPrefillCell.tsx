'use client';

import { useId } from 'react';
import { PromptLengthField } from './PromptLengthField';
import { checkPrefillLength } from '@/lib/lessons/prefill';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { MeasureStatus } from './MeasureStatus';
import { useModel } from '@/lib/hooks/useModel';
import { DECODE_STEPS, usePrefill } from '@/lib/hooks/usePrefill';
import { formatMs } from '@/lib/lessons/race';
import '@/components/viz/viz.css';

const DEFAULTS = { length: 128, chunk: 32 };

/** Lesson 6: the same prompt prefilled in one pass and in chunks through the cache. */
export function ChunkedPrefillCell() {
  const [state, update, reset] = useCellState(DEFAULTS, { name: 'chunked', allowed: { length: intIn(1, 4096), chunk: [8, 16, 32, 64] } });
  const model = useModel('austen');
  const prefill = usePrefill(model.model);
  const ids = { error: useId(), chunk: useId() };
  const blockSize = model.info?.config.blockSize ?? 256;
  const max = blockSize - DECODE_STEPS;
  const input = checkPrefillLength(state.length, 2, blockSize, DECODE_STEPS);
  const running = prefill.state.status === 'running';
  const c = input.ok ? prefill.state.chunked : null; // bad input never shows a result

  const controls = (
    <>
      <PromptLengthField
        value={state.length}
        min={2}
        max={max}
        disabled={running}
        onChange={(length) => update({ length })}
        errorId={ids.error}
      />
      <div className="field">
        <label htmlFor={ids.chunk}>Chunk size</label>
        <select id={ids.chunk} value={state.chunk} onChange={(e) => update({ chunk: Number(e.target.value) })}>
          {[8, 16, 32, 64].map((n) => (
            <option key={n} value={n}>
              {n} tokens
            </option>
          ))}
        </select>
      </div>
      <div className="run-row">
        <button
          type="button"
          className="button button-primary"
          disabled={model.status !== 'ready' || running || !input.ok}
          onClick={() => input.ok && void prefill.compareChunks(input.length, state.chunk)}
        >
          Compare
        </button>
      </div>
    </>
  );

  return (
    <LiveCell
      name="chunked-prefill"
      title="One pass or chunks?"
      description={
        'The same prompt, prefilled in one forward pass and in chunks that each extend the cache. Both ' +
        'are timed from the first pass to the last logits in JavaScript, after an untimed warm-up.'
      }
      controls={controls}
      onReset={reset}
    >
      <ModelGate model={model} label="the austen model">
        <div data-chunked-status={prefill.state.status}>
          {!input.ok ? (
            <p className="error" role="alert" id={ids.error} data-input-error="chunked-prefill">
              {input.message}
            </p>
          ) : null}
          <MeasureStatus
            activity={prefill.state.activity}
            idle={prefill.state.status === 'idle'}
            idleText="Press “Compare”."
            error={prefill.state.error}
          />
          {c ? (
            <dl className="stats" data-chunked-max-diff={c.maxAbsDiff}>
              <div>
                <dt>One pass over {c.promptLength} tokens</dt>
                <dd>{formatMs(c.onePassMs)} ms</dd>
              </div>
              <div>
                <dt>
                  {c.chunks} chunks of up to {c.chunk}
                </dt>
                <dd>{formatMs(c.chunkedMs)} ms</dd>
              </div>
              <div>
                <dt>Largest |difference| in the next-token logits</dt>
                <dd>{c.maxAbsDiff === 0 ? '0 (identical)' : c.maxAbsDiff.toExponential(2)}</dd>
              </div>
              <div>
                <dt>Same next token (greedy)?</dt>
                <dd data-same-next={String(c.onePassNext === c.chunkedNext)}>{c.onePassNext === c.chunkedNext ? 'yes' : 'no'}</dd>
              </div>
            </dl>
          ) : null}
        </div>
      </ModelGate>
    </LiveCell>
  );
}
