'use client';

import { useId } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { ModelGate } from '@/components/model/ModelGate';
import { useModel } from '@/lib/hooks/useModel';
import { usePrefixComparison } from '@/lib/hooks/useServer';
import { BlockPoolView } from './BlockPoolView';
import { SYSTEM } from './ServingCell';
import './keep-less.css';
import './serving.css';

export const ASKS = [
  'Describe the ball at Netherfield.',
  'What does Mr. Darcy think of Bath?',
  'Write to your sister.',
  'Tell me of Highbury.',
];
const DEFAULTS = { sessions: 3, tokens: 12 };
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** "Shared beginnings": the same sessions with and without a shared prefix — TTFT, blocks, equal continuations. */
export function PrefixCell() {
  const [s, update, resetCell] = useCellState(DEFAULTS, { name: 'prefix', allowed: { sessions: [2, 3, 4], tokens: [4, 12, 24] } });
  const id = { n: useId(), t: useId() };
  const m = useModel('austen');
  const cmp = usePrefixComparison(m.model);
  const r = cmp.result;
  const systemTokens = m.tokenizer?.encode(SYSTEM).length ?? null;

  const controls = (
    <>
      <div className="field">
        <label htmlFor={id.n}>Sessions</label>
        <select id={id.n} value={s.sessions} onChange={(e) => update({ sessions: Number(e.target.value) })}>
          {[2, 3, 4].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={id.t}>Tokens each</label>
        <select id={id.t} value={s.tokens} onChange={(e) => update({ tokens: Number(e.target.value) })}>
          {[4, 12, 24].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="button"
        disabled={!m.model || cmp.running}
        onClick={() => cmp.run(SYSTEM, ASKS.slice(0, s.sessions), s.tokens)}
      >
        {cmp.running ? 'Measuring…' : 'Serve with and without sharing'}
      </button>
    </>
  );

  return (
    <LiveCell
      title="One system prompt, many sessions"
      name="prefix"
      description={
        'Each session is the system prompt followed by a question. Served twice: the prefix read once ' +
        'and shared, or read again by every session.'
      }
      onReset={() => {
        cmp.reset();
        resetCell();
      }}
      controls={controls}
    >
      <ModelGate model={m} label="the Austen model">
        <p className="cell-hint">
          System prompt ({systemTokens ?? '…'} tokens): <q>{SYSTEM.trim()}</q>
        </p>
        {cmp.error ? (
          <p className="error" role="alert">
            {cmp.error}
          </p>
        ) : null}
        <p aria-live="polite" className="phase">
          {cmp.running ? 'Serving the sessions twice…' : r ? 'Done.' : 'Press the button to measure.'}
        </p>
        {r ? (
          <>
            <dl className="stats">
              <div>
                <dt>Time to first token, median</dt>
                <dd data-ttft-shared={r.medianSharedMs} data-ttft-plain={r.medianPlainMs}>
                  {ms(r.medianSharedMs)} shared · {ms(r.medianPlainMs)} unshared
                </dd>
              </div>
              <div>
                <dt>Blocks in use, all admitted</dt>
                <dd data-blocks-shared={r.sharedBlocks} data-blocks-plain={r.plainBlocks}>
                  {r.sharedBlocks} shared · {r.plainBlocks} unshared ({r.plainBlocks - r.sharedBlocks} saved)
                </dd>
              </div>
              <div>
                <dt>Copy-on-write copies</dt>
                <dd>{r.copies}</dd>
              </div>
              <div>
                <dt>Prefix read once</dt>
                <dd>
                  {r.prefixTokens} tokens in {ms(r.prefixMs)}
                </dd>
              </div>
            </dl>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Each session, shared and unshared">
              <table className="num-table" data-prefix-rows={r.rows.length}>
                <thead>
                  <tr>
                    <th scope="col">Question</th>
                    <th scope="col">Positions read: shared / unshared</th>
                    <th scope="col">TTFT shared</th>
                    <th scope="col">TTFT unshared</th>
                    <th scope="col">Same tokens</th>
                    <th scope="col">First logits max |Δ|</th>
                  </tr>
                </thead>
                <tbody>
                  {r.rows.map((row) => (
                    <tr key={row.ask}>
                      <th scope="row">{row.ask}</th>
                      <td>
                        {row.sharedRead} / {row.plainRead}
                      </td>
                      <td>{ms(row.sharedMs)}</td>
                      <td>{ms(row.plainMs)}</td>
                      <td data-same={row.sameTokens}>{row.sameTokens ? 'yes' : 'NO'}</td>
                      <td>{row.logitsDelta.toExponential(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pools-side">
              <div>
                <p className="section-label">Shared: the prefix&apos;s blocks (dark) are pointed at by every session (×n)</p>
                <BlockPoolView view={r.sharedView} />
              </div>
              <div>
                <p className="section-label">Unshared: every session holds its own copy</p>
                <BlockPoolView view={r.plainView} />
              </div>
            </div>
          </>
        ) : null}
      </ModelGate>
    </LiveCell>
  );
}
