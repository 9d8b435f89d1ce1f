'use client';

import { useEffect, useId, useState } from 'react';
import { intIn } from '@/lib/lessons/url-state';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { ModelGate } from '@/components/model/ModelGate';
import { StepControls } from '@/components/model/StepControls';
import { useModel } from '@/lib/hooks/useModel';
import { useServer } from '@/lib/hooks/useServer';
import { BlockPoolView, BlockTables, hue } from './BlockPoolView';
import './keep-less.css';
import './serving.css';

export const POOL_BLOCKS = 48;
const BLOCK = 16;
export const PROMPTS = [
  'It is a truth universally acknowledged,',
  'Emma Woodhouse, handsome, clever, and rich,',
  'Sir Walter Elliot, of Kellynch Hall,',
  'No one who had ever seen Catherine Morland',
];
export const SYSTEM = 'You are a narrator in the manner of Miss Austen: polite, exact and a little ironic. Answer the reader. ';
type SystemMode = 'none' | 'copied' | 'shared';
const SYSTEM_MODES: Record<SystemMode, string> = {
  none: 'None',
  copied: 'Before every prompt, read by each session',
  shared: 'Shared: read once, its blocks pointed at',
};
const DEFAULTS = { prompt: 0, tokens: 24, system: 'none' as SystemMode };

/** "Serving many": a small server in the page, sessions decoding through a block pool. */
export function ServingCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, {
    name: 'serving',
    allowed: { prompt: intIn(0, PROMPTS.length - 1), system: ['none', 'copied', 'shared'] },
  });
  const ids = { prompt: useId(), tokens: useId(), system: useId() };
  const m = useModel('austen');
  const reserve = m.info?.config.blockSize ?? 256;
  const srv = useServer(m.model, POOL_BLOCKS);
  const [playing, setPlaying] = useState(false);
  const v = srv.view;
  const live = v?.sessions.filter((s) => !s.done) ?? [];
  const contiguousFit = Math.floor(POOL_BLOCKS / Math.ceil(reserve / BLOCK));
  const tokensOk = Number.isInteger(state.tokens) && state.tokens >= 1 && state.tokens <= 100;

  const isPlaying = playing && live.length > 0; // stops by itself when every session is done
  useEffect(() => {
    if (!isPlaying || srv.busy) return;
    const t = setTimeout(() => void srv.step(), 30);
    return () => clearTimeout(t);
  }, [isPlaying, srv, v]);

  const setSystem = async (system: SystemMode) => {
    update({ system });
    await srv.setPrefix(system === 'shared' ? SYSTEM : null);
  };
  const shared = state.system === 'shared';
  /**
   * A session's prompt: the system prompt's ids then the prompt's when copied; the prompt alone when
   * shared (the server forks the prefix, so these are the ids a shared session sees).
   */
  const full = (p: string): string | number[] =>
    state.system === 'copied' && m.tokenizer ? [...m.tokenizer.encode(SYSTEM), ...m.tokenizer.encode(p)] : p;

  const controls = (
    <>
      <div className="field">
        <label htmlFor={ids.prompt}>Prompt</label>
        <select id={ids.prompt} value={state.prompt} onChange={(e) => update({ prompt: Number(e.target.value) })}>
          {PROMPTS.map((p, i) => (
            <option key={i} value={i}>
              {p}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.tokens}>Tokens to generate (1–100)</label>
        <input
          id={ids.tokens}
          type="number"
          min={1}
          max={100}
          value={state.tokens}
          onChange={(e) => update({ tokens: Number(e.target.value) })}
        />
        {!tokensOk ? (
          <p className="error" role="alert">
            Choose a whole number of tokens from 1 to 100.
          </p>
        ) : null}
      </div>
      <fieldset className="field field-radios">
        <legend>System prompt</legend>
        {(Object.keys(SYSTEM_MODES) as SystemMode[]).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name={ids.system}
              value={mode}
              checked={state.system === mode}
              disabled={srv.busy}
              onChange={() => void setSystem(mode)}
            />
            {SYSTEM_MODES[mode]}
          </label>
        ))}
      </fieldset>
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={!m.model || srv.busy || !tokensOk}
          onClick={() => void srv.start([{ prompt: full(PROMPTS[state.prompt]), tokens: state.tokens }], shared)}
        >
          Start a session
        </button>
        <button
          type="button"
          className="button"
          disabled={!m.model || srv.busy || !tokensOk}
          onClick={() =>
            void srv.start(
              PROMPTS.map((prompt) => ({ prompt: full(prompt), tokens: state.tokens })),
              shared,
            )
          }
        >
          Start 4 sessions
        </button>
        <button
          type="button"
          className="button"
          disabled={!m.model || srv.busy || !tokensOk}
          onClick={() => void srv.fill(full(PROMPTS[state.prompt]), state.tokens, shared)}
        >
          Fill the pool
        </button>
      </div>
      <StepControls
        onStep={() => void srv.step()}
        onTogglePlay={() => setPlaying(!isPlaying)}
        playing={isPlaying}
        busy={srv.busy}
        disabled={!m.model || live.length === 0}
      />
    </>
  );

  return (
    <LiveCell
      title="A server in the page"
      name="serving"
      description={
        `A pool of ${POOL_BLOCKS} blocks of ${BLOCK} positions (${POOL_BLOCKS * BLOCK} positions in ` +
        `all). Each Step decodes one token for every running session.`
      }
      onReset={() => {
        setPlaying(false);
        srv.reset();
        resetCell();
      }}
      controls={controls}
    >
      <ModelGate model={m} label="the Austen model">
        {srv.message ? (
          <p className="cell-message" role="status" data-server-message="">
            {srv.message}
          </p>
        ) : null}
        <dl className="stats">
          <div>
            <dt>Sessions running</dt>
            <dd data-running={live.length} aria-live="polite">
              {live.length}
            </dd>
          </div>
          <div>
            <dt>Blocks in use</dt>
            <dd data-blocks-used={v?.used ?? 0}>
              {v?.used ?? 0} of {POOL_BLOCKS}
            </dd>
          </div>
          <div>
            <dt>Free blocks</dt>
            <dd data-blocks-free={v?.free ?? POOL_BLOCKS}>{v?.free ?? POOL_BLOCKS}</dd>
          </div>
          <div>
            <dt>Paged waste</dt>
            <dd>{v?.emptySlots ?? 0} empty slots</dd>
          </div>
          <div>
            <dt>Contiguous would need</dt>
            <dd data-contiguous-blocks={live.length * Math.ceil(reserve / BLOCK)}>
              {live.length * Math.ceil(reserve / BLOCK)} blocks (fits {contiguousFit} sessions)
            </dd>
          </div>
        </dl>
        <p className="section-label">The block pool</p>
        {v ? (
          <BlockPoolView view={v} />
        ) : (
          <p className="cell-hint">Start a session: its prompt is read (the prefill) and takes the blocks it needs, lowest free first.</p>
        )}
        {v && v.sessions.length > 0 ? (
          <>
            <p className="section-label">Block tables: which blocks each session reads, in order</p>
            <BlockTables sessions={v.sessions} blockSize={BLOCK} reserve={reserve} />
            <p className="section-label">
              The contiguous allocator on the same memory: {reserve} positions reserved per session, filled part coloured
            </p>
            <ul className="reserve-bars" aria-label="Contiguous reservations">
              {live.map((s) => (
                <li key={s.id} className={hue(s.id)}>
                  <span>
                    Session {s.id}: {Math.round((100 * s.length) / reserve)}%
                  </span>
                  <span className="reserve-bar" role="img" aria-label={`${s.length} of ${reserve} reserved positions used`}>
                    <span className="reserve-used" style={{ width: `${(100 * s.length) / reserve}%`, display: 'block' }} />
                  </span>
                </li>
              ))}
            </ul>
            <p>
              Contiguous: {live.length} running session{live.length === 1 ? '' : 's'} would reserve {live.length * reserve} positions and
              use {live.reduce((n, s) => n + s.length, 0)}:{' '}
              <strong data-contiguous-waste={live.reduce((n, s) => n + reserve - s.length, 0)}>
                {live.reduce((n, s) => n + reserve - s.length, 0)} positions wasted
              </strong>{' '}
              (internal fragmentation). Paged: {v.emptySlots} empty slots, less than one block per session.
            </p>
          </>
        ) : null}
      </ModelGate>
    </LiveCell>
  );
}
