'use client';

import { useEffect, useId, useRef } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { RaceResults } from './RaceResults';
import { useModel } from '@/lib/hooks/useModel';
import { useRace } from '@/lib/hooks/useRace';
import { checkRaceInput } from '@/lib/lessons/race';
import '@/components/viz/viz.css';

const DEFAULTS = { prompt: 'It is a truth universally acknowledged', tokens: 32, repeats: 1, seed: 1 };
const REPEATS = [1, 3, 5];

/**
 * `?race.tokens=128&race.repeats=3&autorun=1`: the cell's state comes from the URL like every cell's
 * (useCellState); `autorun` also starts the race once the model is ready (scripts/race-report.js).
 */
const autorunAsked = () => new URLSearchParams(window.location.search).get('autorun') === '1';

/** Lesson 5: naive against cached generation of the same tokens, timed step by step. */
export function RaceCell() {
  const [state, update, reset] = useCellState(DEFAULTS, {
    name: 'race',
    allowed: { tokens: intIn(1, 4096), repeats: intIn(1, 20), seed: intIn(0, 2 ** 31) },
  });
  const model = useModel('austen');
  const race = useRace(model.model, model.tokenizer);
  const ids = { tokens: useId(), repeats: useId(), seed: useId() };
  const promptLength = model.tokenizer ? model.tokenizer.encode(state.prompt).length : null;
  const blockSize = model.info?.config.blockSize ?? 256;
  // Nothing runs on bad input: an empty prompt, one over the context, or one leaving under 2 tokens.
  const input = checkRaceInput(blockSize, promptLength ?? 1, state.tokens);
  const options = input.ok ? input.options : [];
  const tokens = input.ok ? input.tokens : state.tokens;
  const running = race.state.status === 'running';
  const autorun = useRef(false);

  useEffect(() => {
    autorun.current = autorunAsked();
  }, []);

  const { start } = race;
  const ready = model.status === 'ready';
  useEffect(() => {
    if (!ready || !autorun.current || !input.ok) return;
    autorun.current = false;
    start({ prompt: state.prompt, tokens, repeats: state.repeats, seed: state.seed });
  }, [ready, input.ok, start, state.prompt, tokens, state.repeats, state.seed]);

  const controls = (
    <>
      <PromptBox
        value={state.prompt}
        onChange={(prompt) => update({ prompt })}
        tokenCount={promptLength}
        blockSize={blockSize}
        rows={2}
        disabled={running}
      />
      <div className="field">
        <label htmlFor={ids.tokens}>Tokens to generate</label>
        <select
          id={ids.tokens}
          value={tokens}
          disabled={running || !input.ok}
          aria-describedby={input.ok && input.capped ? `${ids.tokens}-capped` : undefined}
          onChange={(e) => update({ tokens: Number(e.target.value) })}
        >
          {(input.ok ? [...new Set([...options, tokens])].sort((a, b) => a - b) : [state.tokens]).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        {input.ok && input.capped ? (
          <p className="field-note" id={`${ids.tokens}-capped`} data-tokens-capped={tokens}>
            {input.capped}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={ids.repeats}>Repeat each generator</label>
        <select id={ids.repeats} value={state.repeats} disabled={running} onChange={(e) => update({ repeats: Number(e.target.value) })}>
          {[...new Set([...REPEATS, state.repeats])].map((n) => (
            <option key={n} value={n}>
              {n === 1 ? 'once' : `${n} times (medians per step)`}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.seed}>Sampling seed</label>
        <input
          id={ids.seed}
          type="number"
          min={0}
          step={1}
          value={state.seed}
          disabled={running}
          onChange={(e) => update({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
        />
      </div>
      <div className="run-row">
        <button
          type="button"
          className="button button-primary"
          disabled={!ready || running || !input.ok}
          onClick={() => start({ prompt: state.prompt, tokens, repeats: state.repeats, seed: state.seed })}
        >
          Run the race
        </button>
        <button type="button" className="button" disabled={!running} onClick={race.stop}>
          Stop
        </button>
      </div>
    </>
  );

  return (
    <LiveCell
      name="race"
      title="Race: naive against cached"
      description={
        'Both generators continue the same prompt with the same seed on the same model. Each step is ' +
        'timed from the forward pass to the logits being back in JavaScript.'
      }
      controls={controls}
      onReset={reset}
    >
      <ModelGate model={model} label="the austen model">
        {input.ok || running ? (
          <RaceResults race={race.state} backend={model.backend} modelName="austen" />
        ) : (
          <p className="error" role="alert" data-input-error="race">
            {input.message}
          </p>
        )}
      </ModelGate>
    </LiveCell>
  );
}
