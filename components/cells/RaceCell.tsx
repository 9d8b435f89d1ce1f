'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { intIn } from '@/lib/lessons/url-state';
import { ModelGate } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { RaceResults } from './RaceResults';
import { useModel } from '@/lib/hooks/useModel';
import { SizeSelect } from '@/components/model/SizeSelect';
import { useRace } from '@/lib/hooks/useRace';
import { useTimingModel } from '@/lib/hooks/useTimingModel';
import { getClient } from '@/lib/worker/client';
import { formatDuration, LONG_RUN_MS } from '@/lib/lessons/estimate';
import { MODEL_SIZES, presetParams, SIZE_PRESETS, TIMING_MODEL_NOTE, type ModelSize } from '@/lib/lessons/sizes';
import { checkRaceInput } from '@/lib/lessons/race';
import '@/components/viz/viz.css';

const DEFAULTS = { prompt: 'It is a truth universally acknowledged', tokens: 32, repeats: 1, seed: 1, size: 'austen' as ModelSize };
/** Races of austen up to this many tokens start at once; longer ones, and every timing size, are probed first. */
const PROBE_OVER = 64;

type Estimate =
  | { status: 'idle' }
  | { status: 'probing'; key: string }
  | { status: 'offer'; key: string; estimateMs: number }
  | { status: 'error'; key: string; message: string };
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
    allowed: { tokens: intIn(1, 4096), repeats: intIn(1, 20), seed: intIn(0, 2 ** 31), size: MODEL_SIZES },
  });
  const model = useModel('austen');
  const size = state.size;
  const preset = SIZE_PRESETS[size];
  const timing = useTimingModel(size, model.model);
  const handle = size === 'austen' ? model.model : timing.status === 'ready' ? timing.model : null;
  const race = useRace(handle, model.tokenizer);
  const ids = { tokens: useId(), repeats: useId(), seed: useId() };
  const promptLength = model.tokenizer ? model.tokenizer.encode(state.prompt).length : null;
  const blockSize = preset.config?.blockSize ?? model.info?.config.blockSize ?? 256;
  // Nothing runs on bad input: an empty prompt, one over the context, or one leaving under 2 tokens.
  const input = checkRaceInput(blockSize, promptLength ?? 1, state.tokens);
  const options = input.ok ? input.options : [];
  const tokens = input.ok ? input.tokens : state.tokens;
  const [estimate, setEstimate] = useState<Estimate>({ status: 'idle' });
  const probeAbort = useRef<AbortController | null>(null);
  // An estimate belongs to the race it was made for: any change of size, prompt, length or repeats drops it.
  const raceKey = [size, state.prompt, tokens, state.repeats].join('\u0000');
  const probing = estimate.status === 'probing';
  const running = race.state.status === 'running' || probing;
  const autorun = useRef(false);

  useEffect(() => () => probeAbort.current?.abort(), []);

  useEffect(() => {
    autorun.current = autorunAsked();
  }, []);

  const { start } = race;
  const ready = model.status === 'ready' && handle !== null;
  useEffect(() => {
    if (!ready || !autorun.current || !input.ok) return;
    autorun.current = false;
    start({ prompt: state.prompt, tokens, repeats: state.repeats, seed: state.seed, size, blockSize });
  }, [ready, input.ok, start, state.prompt, tokens, state.repeats, state.seed, size, blockSize]);

  const params = { prompt: state.prompt, tokens, repeats: state.repeats, seed: state.seed, size, blockSize };
  /** Start at once when the race is short; otherwise time a short probe first and offer a long race with its estimate. */
  async function run(force: boolean) {
    if (!handle || promptLength === null) return;
    if (force || (size === 'austen' && tokens <= PROBE_OVER)) {
      setEstimate({ status: 'idle' });
      start(params);
      return;
    }
    const controller = new AbortController();
    probeAbort.current = controller;
    setEstimate({ status: 'probing', key: raceKey });
    try {
      const est = await getClient().call(
        'raceEstimate',
        { model: handle.key, promptLength, tokens, repeats: state.repeats, warmup: true },
        { signal: controller.signal },
      );
      if (est.estimateMs > LONG_RUN_MS) setEstimate({ status: 'offer', key: raceKey, estimateMs: est.estimateMs });
      else {
        setEstimate({ status: 'idle' });
        start(params);
      }
    } catch (err) {
      const stopped = controller.signal.aborted || (err as { name?: string }).name === 'AbortedError';
      setEstimate(
        stopped ? { status: 'idle' } : { status: 'error', key: raceKey, message: err instanceof Error ? err.message : String(err) },
      );
    } finally {
      if (probeAbort.current === controller) probeAbort.current = null;
    }
  }
  const stop = () => {
    probeAbort.current?.abort();
    race.stop();
  };
  const shownEstimate = estimate.status !== 'idle' && estimate.key === raceKey ? estimate : null;

  const controls = (
    <>
      <SizeSelect value={size} disabled={running} onChange={(size) => update({ size })} />
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
        <button type="button" className="button button-primary" disabled={!ready || running || !input.ok} onClick={() => void run(false)}>
          Run the race
        </button>
        <button type="button" className="button" disabled={!running} onClick={stop}>
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
      <ModelGate
        model={model}
        shape={preset.config ? { config: preset.config, params: presetParams(size as Exclude<ModelSize, 'austen'>) } : undefined}
        label="the austen model"
      >
        {preset.timingOnly ? (
          <p className="note" data-timing-note={size}>
            The {preset.short} model has {TIMING_MODEL_NOTE}. Its context is {blockSize.toLocaleString('en')} tokens.
          </p>
        ) : null}
        {timing.status === 'drawing' ? (
          <p className="viz-note" role="status" data-timing-model="drawing">
            Drawing the {preset.short} model&rsquo;s random weights on this device…
          </p>
        ) : null}
        {timing.status === 'error' ? (
          <p className="error" role="alert" data-timing-model="error">
            This device cannot hold the {preset.short} model: {timing.message}. Choose a smaller size.
          </p>
        ) : null}
        <div aria-live="polite" data-race-estimate={shownEstimate?.status ?? 'none'}>
          {shownEstimate?.status === 'probing' ? (
            <p className="viz-note">Timing a few steps to estimate how long this race will take…</p>
          ) : null}
          {shownEstimate?.status === 'offer' ? (
            <p className="estimate-offer">
              This race would take {formatDuration(shownEstimate.estimateMs)} on this device (estimated from a short probe of a few steps at
              its first and last positions).{' '}
              <button type="button" className="button" disabled={!ready || running} onClick={() => void run(true)}>
                Run anyway
              </button>{' '}
              Or choose fewer tokens or a smaller model.
            </p>
          ) : null}
          {shownEstimate?.status === 'error' ? (
            <p className="error" role="alert">
              Could not estimate this race: {shownEstimate.message}
            </p>
          ) : null}
        </div>
        {input.ok || running ? (
          <RaceResults race={race.state} backend={model.backend} />
        ) : (
          <p className="error" role="alert" data-input-error="race">
            {input.message}
          </p>
        )}
      </ModelGate>
    </LiveCell>
  );
}
