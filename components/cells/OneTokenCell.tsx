'use client';

import { useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { DecodingPicker } from '@/components/model/DecodingPicker';
import { ModelGate, OtherBackends } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { StepControls, busyText } from '@/components/model/StepControls';
import { TokenChips } from '@/components/model/TokenChips';
import { useGeneration, type GenerationMessage, type ViewRecord } from '@/lib/hooks/useGeneration';
import { useModel } from '@/lib/hooks/useModel';
import { DEFAULT_SEED, type DecodingMode, decodingLabel, samplingFor } from '@/lib/lessons/decoding';
import './kv-cells.css';

export const AUSTEN_OPENING = 'It is a truth universally acknowledged, that a single man';
const DEFAULTS: { prompt: string; decoding: DecodingMode; seed: number } = {
  prompt: AUSTEN_OPENING,
  decoding: 'sampled',
  seed: DEFAULT_SEED,
};

/** One row of the work table: positions each way of generating pushes through the model at a step. */
export interface WorkRow {
  step: number;
  naive: number;
  cached: number;
}

/**
 * Naive: the whole sequence so far (prompt + tokens generated before this step), by the rule.
 * Cached: what the cached generator reported computing (`processed`): the prompt once, then 1.
 */
export function workRows(promptLength: number, records: readonly ViewRecord[]): WorkRow[] {
  return records.map((r) => ({ step: r.step, naive: promptLength + r.step, cached: r.processed }));
}

export function Message({ message }: { message: GenerationMessage | null }) {
  if (!message) return null;
  return (
    <div className="cell-message" data-kind={message.kind} role={message.kind === 'blockSize' ? 'status' : 'alert'}>
      <p>{message.text}</p>
      {message.kind === 'backend' ? <OtherBackends current={null} /> : null}
    </div>
  );
}

function WorkTable({ rows }: { rows: WorkRow[] }) {
  const max = Math.max(1, ...rows.map((r) => r.naive));
  const total = (k: 'naive' | 'cached') => rows.reduce((n, r) => n + r[k], 0);
  const bar = (n: number, kind: string) => (
    <span className="work-cell">
      <span className={`work-bar work-bar-${kind}`} style={{ width: `${(100 * n) / max}%` }} aria-hidden="true" />
      <span className="work-num">{n}</span>
    </span>
  );
  return (
    <div
      className="table-scroll work-scroll"
      data-work-table=""
      tabIndex={0}
      role="region"
      aria-label="Positions pushed through the model at each step (scrolls sideways)"
    >
      <table className="data-table work-table">
        <caption>Positions pushed through the model at each step</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Naive: whole sequence</th>
            <th scope="col">Cached</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.step}>
              <th scope="row">{r.step === 0 ? '1 (prompt)' : r.step + 1}</th>
              <td>{bar(r.naive, 'naive')}</td>
              <td>{bar(r.cached, 'cached')}</td>
            </tr>
          ))}
        </tbody>
        {rows.length > 0 ? (
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td>{total('naive')}</td>
              <td>{total('cached')}</td>
            </tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

/** "One token at a time": step a generation and compare the work of the naive and cached loops. */
export function OneTokenCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, { name: 'one' });
  const m = useModel('austen');
  const sampling = samplingFor(state.decoding, state.seed);
  const gen = useGeneration({ model: m.model, tokenizer: m.tokenizer, prompt: state.prompt, sampling });
  const tokenCount = useMemo(() => m.tokenizer?.encode(state.prompt).length ?? null, [m.tokenizer, state.prompt]);
  const rows = useMemo(() => workRows(gen.promptTokens.length, gen.records), [gen.promptTokens.length, gen.records]);
  const ready = m.status === 'ready';
  const sequence = gen.promptTokens.length + gen.tokens.length;

  const reset = () => {
    gen.reset();
    resetCell();
  };

  return (
    <LiveCell
      title="Generate one token at a time"
      name="one-token"
      description={`The Austen model in your browser, ${decodingLabel(state.decoding, state.seed)}. Each step adds one token.`}
      onReset={reset}
      controls={
        <>
          <PromptBox
            value={state.prompt}
            onChange={(prompt) => update({ prompt })}
            tokenCount={tokenCount}
            blockSize={m.info?.config.blockSize}
            notice={gen.notice}
            error={gen.message?.kind === 'empty' ? gen.message.text : null}
          />
          <DecodingPicker
            mode={state.decoding}
            seed={state.seed}
            disabled={gen.busy}
            onChange={({ mode, seed }) => {
              gen.reset(); // a generator keeps the settings it started with: start over with the new ones
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
            disabled={!ready || gen.status === 'done'}
          />
        </>
      }
    >
      <ModelGate model={m} label="the Austen model">
        {gen.message?.kind === 'empty' ? null : <Message message={gen.message} />}
        {sequence === 0 ? (
          <p className="cell-hint">Press Step: the first step reads the whole prompt and picks one token.</p>
        ) : (
          <TokenChips tokens={[...gen.promptTokens, ...gen.tokens]} label="Prompt and generated tokens" />
        )}
        <dl className="stats">
          <div>
            <dt>Tokens generated</dt>
            <dd data-generated={gen.tokens.length}>{gen.tokens.length}</dd>
          </div>
          <div>
            <dt>Sequence length</dt>
            <dd>{sequence}</dd>
          </div>
          <div>
            <dt>Positions in the KV cache</dt>
            <dd data-cache-len={gen.cacheLength} aria-live="polite">
              {gen.cacheLength}
            </dd>
          </div>
        </dl>
        <WorkTable rows={rows} />
      </ModelGate>
    </LiveCell>
  );
}
