'use client';

import { useId, useMemo } from 'react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';
import { ModelGate } from '@/components/model/ModelGate';
import { PromptBox } from '@/components/model/PromptBox';
import { StepControls } from '@/components/model/StepControls';
import { useModel } from '@/lib/hooks/useModel';
import { usePolicySteps } from '@/lib/hooks/useKeepLess';
import { policyAt, POLICY_KINDS, POLICY_LABELS, type PolicyKind } from '@/lib/lessons/policies';
import { PolicyTokens, type PositionView } from './PolicyTokens';
import './keep-less.css';

type Choice = PolicyKind | 'full';
const CHOICES: Choice[] = ['full', 'window', 'sinks', 'h2o'];
const LABEL: Record<Choice, string> = { full: 'Full cache', ...POLICY_LABELS };
const BUDGETS = [8, 16, 32];
const MAX_NEW = 60;
const DEFAULTS = {
  prompt: 'Emma Woodhouse, handsome, clever, and rich, with a comfortable home',
  choice: 'window' as Choice,
  budget: 16,
  layer: 0,
};

/** "Keep less": step the model through an eviction policy and watch what it keeps, drops and attends to. */
export function PolicyStepCell() {
  const [state, update, resetCell] = useCellState(DEFAULTS, {
    name: 'policy',
    allowed: { choice: ['full', ...POLICY_KINDS], budget: BUDGETS, layer: [0, 1, 2, 3] },
  });
  const ids = { choice: useId(), budget: useId(), layer: useId() };
  const m = useModel('austen');
  const policy = useMemo(() => (state.choice === 'full' ? null : policyAt(state.choice, state.budget)), [state.choice, state.budget]);
  const run = usePolicySteps(m.model, m.tokenizer, state.prompt, policy, MAX_NEW);
  const last = run.steps[run.steps.length - 1];
  const layer = last?.layers[state.layer];

  const positions = useMemo((): PositionView[] => {
    if (!m.tokenizer || !last || !layer) return [];
    const tok = m.tokenizer;
    const all = [...run.promptIds, ...run.steps.map((s) => s.id)];
    const evictedAt = new Map<number, number>();
    for (const s of run.steps) for (const e of s.evictions) if (e.layer === state.layer) evictedAt.set(e.position, e.step);
    const att = new Map(layer.attended.map((p, i) => [p, layer.attention[i]]));
    const kept = new Set(layer.kept);
    return all.map((id, p) => ({
      position: p,
      label: tok.tokenLabel(id),
      state: kept.has(p) ? 'kept' : evictedAt.has(p) ? 'evicted' : 'next',
      evictedAt: evictedAt.get(p) ?? null,
      attention: att.get(p) ?? null,
    }));
  }, [m.tokenizer, last, layer, run.promptIds, run.steps, state.layer]);

  const evictedCount = positions.filter((p) => p.state === 'evicted').length;
  const attendedEvicted = layer ? layer.attended.filter((p) => !layer.kept.includes(p)).length : 0;

  const controls = (
    <>
      <PromptBox
        value={state.prompt}
        onChange={(prompt) => update({ prompt })}
        tokenCount={run.promptIds.length}
        blockSize={m.info?.config.blockSize}
        rows={2}
      />
      <fieldset className="field field-radios">
        <legend>What the cache keeps</legend>
        {CHOICES.map((c) => (
          <label key={c}>
            <input type="radio" name={ids.choice} value={c} checked={state.choice === c} onChange={() => update({ choice: c })} />
            {LABEL[c]}
          </label>
        ))}
      </fieldset>
      <fieldset className="field field-radios" disabled={state.choice === 'full'}>
        <legend>Budget (rows kept)</legend>
        {BUDGETS.map((b) => (
          <label key={b}>
            <input type="radio" name={ids.budget} value={b} checked={state.budget === b} onChange={() => update({ budget: b })} />
            {b}
          </label>
        ))}
      </fieldset>
      <fieldset className="field field-radios">
        <legend>Layer</legend>
        {[0, 1, 2, 3].map((l) => (
          <label key={l}>
            <input type="radio" name={ids.layer} value={l} checked={state.layer === l} onChange={() => update({ layer: l })} />
            {l + 1}
          </label>
        ))}
      </fieldset>
      <StepControls
        onStep={() => void run.step()}
        onTogglePlay={run.togglePlay}
        playing={run.playing}
        busy={run.busy}
        disabled={m.status !== 'ready' || run.done}
      />
    </>
  );

  return (
    <LiveCell
      title="Keep less, step by step"
      name="policy-steps"
      description="The Austen model generates greedily while a policy evicts cache rows after every step. Real positions, real attention."
      onReset={() => {
        run.reset();
        resetCell();
      }}
      controls={controls}
    >
      <ModelGate model={m} label="the Austen model">
        {run.error ? (
          <p className="error" role="alert">
            {run.error}
          </p>
        ) : null}
        <dl className="stats">
          <div>
            <dt>Policy</dt>
            <dd data-policy={policy ? state.choice : 'full'}>{policy ? `${LABEL[state.choice]}, ${state.budget} rows` : 'Full cache'}</dd>
          </div>
          <div>
            <dt>Rows kept (layer {state.layer + 1})</dt>
            <dd data-kept={layer?.kept.length ?? 0} aria-live="polite">
              {layer?.kept.length ?? 0}
            </dd>
          </div>
          <div>
            <dt>Positions evicted</dt>
            <dd data-evicted={evictedCount}>{evictedCount}</dd>
          </div>
          <div>
            <dt>Cache</dt>
            <dd>{(last?.cacheBytes ?? 0).toLocaleString('en-US')} bytes</dd>
          </div>
        </dl>
        {!last ? (
          <p className="cell-hint">Press Step: the prompt is read, then each step adds a token and the policy decides what to drop.</p>
        ) : (
          <>
            <p className="section-label">
              Layer {state.layer + 1} after step {last.step}: shading is the newest token&apos;s attention (mean of 4 heads); struck-out
              positions were evicted{attendedEvicted > 0 ? `, ${attendedEvicted} of them right after this step read them` : ''}.
            </p>
            <PolicyTokens positions={positions} />
            <p className="generated">
              Generated: <q>{run.steps.map((s) => s.text).join('')}</q>
            </p>
          </>
        )}
      </ModelGate>
    </LiveCell>
  );
}
