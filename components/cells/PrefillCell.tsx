'use client';

import { useId } from 'react';
import { PromptLengthField } from './PromptLengthField';
import { checkPrefillLength } from '@/lib/lessons/prefill';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { MeasureStatus } from './MeasureStatus';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { useModel } from '@/lib/hooks/useModel';
import { DECODE_STEPS, usePrefill } from '@/lib/hooks/usePrefill';
import { formatMs } from '@/lib/lessons/race';
import { median } from '@/lib/stats';
import type { PrefillTiming } from '@/lib/lessons/measure';
import '@/components/viz/viz.css';

const DEFAULTS = { length: 64 };

const perToken = (t: PrefillTiming) => median(t.decodeMs);

/** Lesson 6: time to first token against time per next token, as the prompt grows. */
export function PrefillCell() {
  const [state, update, reset] = useCellState(DEFAULTS, { name: 'prefill', allowed: { length: intIn(1, 4096) } });
  const model = useModel('austen');
  const prefill = usePrefill(model.model);
  const errorId = useId();
  const blockSize = model.info?.config.blockSize ?? 256;
  const max = blockSize - DECODE_STEPS;
  const input = checkPrefillLength(state.length, 1, blockSize, DECODE_STEPS);
  const running = prefill.state.status === 'running';
  const ready = model.status === 'ready';
  // Bad input never shows a result: not even the previous one, which would answer another question.
  const { single, sweep } = input.ok ? prefill.state : { single: null, sweep: [] };
  const rows = sweep.map((t) => ({ p: t.promptLength, ttft: t.ttftMs, decode: perToken(t) }));

  const controls = (
    <>
      <PromptLengthField
        value={state.length}
        min={1}
        max={max}
        disabled={running}
        onChange={(length) => update({ length })}
        errorId={errorId}
      />
      <div className="run-row">
        <button
          type="button"
          className="button button-primary"
          disabled={!ready || running || !input.ok}
          onClick={() => input.ok && void prefill.measure(input.length)}
        >
          Measure this prompt
        </button>
        <button type="button" className="button" disabled={!ready || running} onClick={() => void prefill.sweep()}>
          Sweep prompt lengths
        </button>
        <button type="button" className="button" disabled={!running} onClick={prefill.stop}>
          Stop
        </button>
      </div>
    </>
  );

  return (
    <LiveCell
      name="prefill"
      title="Time to first token, and to every token after"
      description={
        `A prompt of P tokens is prefilled into an empty cache, then ${DECODE_STEPS} more tokens are ` +
        `decoded one at a time. Each length runs twice; the first run is a warm-up and is thrown away.`
      }
      controls={controls}
      onReset={reset}
    >
      <ModelGate model={model} label="the austen model">
        <div data-prefill-status={prefill.state.status}>
          {!input.ok ? (
            <p className="error" role="alert" id={errorId} data-input-error="prefill">
              {input.message}
            </p>
          ) : null}
          <MeasureStatus
            activity={prefill.state.activity}
            idle={prefill.state.status === 'idle' || prefill.state.status === 'stopped'}
            idleText={prefill.state.status === 'stopped' ? 'Stopped.' : 'Press “Measure this prompt” or “Sweep prompt lengths”.'}
            error={prefill.state.error}
          />
          {single ? (
            <dl className="stats" data-prefill-single={single.promptLength}>
              <div>
                <dt>Time to first token, P = {single.promptLength}</dt>
                <dd>{formatMs(single.ttftMs)} ms</dd>
              </div>
              <div>
                <dt>… of which building and submitting the pass</dt>
                <dd>{formatMs(single.forwardMs)} ms</dd>
              </div>
              <div>
                <dt>… of which waiting for the logits</dt>
                <dd>{formatMs(single.readbackMs)} ms</dd>
              </div>
              <div>
                <dt>Each next token (median of {single.decodeMs.length})</dt>
                <dd>{formatMs(perToken(single))} ms</dd>
              </div>
            </dl>
          ) : null}
          {rows.length ? (
            <LineChartCell
              name="prefill-ttft"
              caption={
                'Time to first token (prefill of P tokens + readback) and the median time of each following ' +
                'cached token, against the prompt length P.'
              }
              data={rows}
              xKey="p"
              xLabel="Prompt length P (tokens)"
              yLabel="ms"
              series={[
                { key: 'ttft', label: 'Time to first token' },
                { key: 'decode', label: 'Time per next token', dashed: true },
              ]}
              formatY={formatMs}
            />
          ) : null}
        </div>
      </ModelGate>
    </LiveCell>
  );
}
