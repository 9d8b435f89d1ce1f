'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { LiveCell } from '@/components/notebook/LiveCell';
import { ModelGate } from '@/components/model/ModelGate';
import { downloadBlob } from '@/components/charts/download';
import { useModel } from '@/lib/hooks/useModel';
import { SizeSelect } from '@/components/model/SizeSelect';
import { pagePositions, SIZE_PRESETS, TIMING_MODEL_NOTE, type ModelSize } from '@/lib/lessons/sizes';
import { formatDuration } from '@/lib/lessons/estimate';
import { benchStepModel, crossover, describeCrossover, type StepModel } from '@/lib/lessons/crossover';
import type { BenchResults } from '@/lib/bench/results';
import { staticPathServed } from '@/lib/bench/schedule';
import { BenchTable } from './BenchTable';
import { ShareResult } from '@/components/class/ShareResult';
import type { BackendState } from '@/lib/backend/store';

type Phase =
  | { kind: 'idle' }
  | { kind: 'preparing'; what: string }
  | { kind: 'offer'; estimateMs: number; probe: StepModel; fastDelta: number }
  | { kind: 'running'; done: number; total: number; position: number; fastDelta: number; probe: StepModel | null }
  | { kind: 'done'; results: BenchResults; fastDelta: number; probe: StepModel | null }
  | { kind: 'error'; message: string };

/** Parses "16, 64,255" into sorted unique positions within 1..blockSize, or explains what is wrong. */
function parsePositions(text: string, blockSize: number): number[] | string {
  const ps = text.split(',').map((s) => Number(s.trim()));
  if (ps.some((p) => !Number.isInteger(p) || p < 1 || p > blockSize)) return `positions must be whole numbers from 1 to ${blockSize}, separated by commas`;
  return [...new Set(ps)].sort((a, b) => a - b);
}

/**
 * The bench in the browser: the same measurements as `npm run bench`, on this device's backend, for
 * one model size at a time. The work happens on the model thread (lib/bench/page-run.ts's runBenchJob,
 * in the Web Worker); this component holds the controls and shows the progress and the results.
 */
export function BenchLab() {
  const austen = useModel('austen');
  const ids = { positions: useId(), repeats: useId(), warmup: useId() };
  const [size, setSize] = useState<ModelSize>('austen');
  const blockSize = SIZE_PRESETS[size].config?.blockSize ?? austen.info?.config.blockSize ?? 256;
  // The positions typed for this size; another size starts from its own defaults.
  const [typed, setTyped] = useState<{ size: ModelSize; text: string } | null>(null);
  const positionsText = typed?.size === size ? typed.text : pagePositions(blockSize).join(', ');
  const [repeats, setRepeats] = useState(21);
  const [warmup, setWarmup] = useState(10);
  const [staticChecked, setStaticChecked] = useState(false);
  const backendName = austen.backend.status === 'ready' ? austen.backend.report.name : null;
  const staticOffered = backendName !== null && staticPathServed(backendName);
  const staticPath = staticOffered && staticChecked;
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);


  const positions = parsePositions(positionsText, blockSize);
  const busy = phase.kind === 'preparing' || phase.kind === 'running';
  const ready = austen.status === 'ready' || size !== 'austen';

  /** The run happens on the model thread (lib/bench/page-run's runBenchJob); this only shows its progress. */
  async function start(force: boolean) {
    if (typeof positions === 'string') return;
    const controller = new AbortController();
    abort.current?.abort();
    abort.current = controller;
    setPhase({ kind: 'preparing', what: 'starting the model thread' });
    try {
      const { getClient, startModelThread } = await import('@/lib/worker/client');
      const { parseBackendParam } = await import('@/lib/backend/store');
      // Idempotent: starts tfjs on the chosen backend when a timing size is measured before austen loads.
      await startModelThread(parseBackendParam(window.location.search));
      const nav = navigator as Navigator & { deviceMemory?: number };
      const outcome = await getClient().call(
        'bench',
        {
          model: austen.model?.key ?? 'austen',
          job: { size, positions, warmup, repeats, force, staticPath, deviceMemory: nav.deviceMemory, userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency },
        },
        { signal: controller.signal, onProgress: (p) => !controller.signal.aborted && setPhase(p as Phase) },
      );
      if (!controller.signal.aborted) setPhase(outcome);
    } catch (e) {
      const err = e as Error;
      setPhase(err.name === 'BenchAborted' || controller.signal.aborted ? { kind: 'idle' } : { kind: 'error', message: err.message });
    }
  }

  const controls = (
    <>
      <SizeSelect value={size} disabled={busy} onChange={setSize} />
      <div className="field">
        <label htmlFor={ids.positions}>Positions (comma-separated, up to {blockSize})</label>
        <input id={ids.positions} type="text" value={positionsText} disabled={busy} onChange={(e) => setTyped({ size, text: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={ids.warmup}>Warm-up rounds</label>
        <input id={ids.warmup} type="number" min={0} value={warmup} disabled={busy} onChange={(e) => setWarmup(Math.max(0, Number(e.target.value) | 0))} />
      </div>
      <div className="field">
        <label htmlFor={ids.repeats}>Timed rounds</label>
        <input id={ids.repeats} type="number" min={1} value={repeats} disabled={busy} onChange={(e) => setRepeats(Math.max(1, Number(e.target.value) | 0))} />
      </div>
      {staticOffered ? (
        <div className="field field-check">
          <label>
            <input type="checkbox" checked={staticChecked} disabled={busy} onChange={(e) => setStaticChecked(e.target.checked)} /> Also time a static
            cache (each new row written into a slot reserved for it)
          </label>
        </div>
      ) : null}
      <div className="run-row">
        <button type="button" className="button button-primary" disabled={!ready || busy || typeof positions === 'string'} onClick={() => void start(false)}>
          Measure
        </button>
        <button type="button" className="button" disabled={phase.kind !== 'running'} onClick={() => abort.current?.abort()}>
          Stop
        </button>
      </div>
    </>
  );

  return (
    <LiveCell
      title="Naive and cached steps on this device"
      name="bench"
      description="One decode step without and with the KV cache, through the readable model code and the fast path, at each position."
      controls={controls}
    >
      {SIZE_PRESETS[size].timingOnly ? <p className="note">{TIMING_MODEL_NOTE}.</p> : null}
      {typeof positions === 'string' ? <p role="alert">{positions}</p> : null}
      {size === 'austen' ? (
        <ModelGate model={austen} label="the austen model">
          <p>The trained austen model is loaded.</p>
        </ModelGate>
      ) : null}
      <div aria-live="polite" data-bench-status={phase.kind}>
        {phase.kind === 'preparing' ? <p>Working: {phase.what}…</p> : null}
        {phase.kind === 'offer' ? (
          <p>
            A full run would take {formatDuration(phase.estimateMs)} on this device (estimated from a short probe).{' '}
            <button type="button" className="button" onClick={() => void start(true)}>
              Run anyway
            </button>
          </p>
        ) : null}
        {phase.kind === 'running' ? (
          <p>
            <label>
              Measuring every position in turn, now {phase.position}: <progress max={phase.total} value={phase.done} /> {phase.done} of {phase.total} steps
            </label>
          </p>
        ) : null}
        {phase.kind === 'error' ? <p role="alert">{phase.message}</p> : null}
        {'fastDelta' in phase ? (
          <p data-fast-delta={phase.fastDelta}>
            Fast path against the readable model: largest logit difference {phase.fastDelta.toExponential(1)}{' '}
            {phase.fastDelta <= 1e-4 ? '(equal within 1e-4)' : '(NOT equal within 1e-4: the fast path is wrong on this backend)'}.
          </p>
        ) : null}
      </div>
      {phase.kind === 'done' ? (
        <>
          <BenchTable results={phase.results} />
          <CrossoverLine results={phase.results} blockSize={blockSize} label={SIZE_PRESETS[size].short} />
          <button
            type="button"
            className="button"
            onClick={() => downloadBlob(new Blob([JSON.stringify(phase.results, null, 2) + '\n'], { type: 'application/json' }), `results-${size}-${phase.results.rows[0]?.backend ?? 'backend'}.json`)}
          >
            Download JSON
          </button>
          <BenchShare results={phase.results} fastDelta={phase.fastDelta} backend={austen.backend} />
        </>
      ) : null}
    </LiveCell>
  );
}

/** Shares the reference path's medians at the longest position measured (the cache's biggest win). */
function BenchShare({ results, fastDelta, backend }: { results: BenchResults; fastDelta: number; backend: BackendState }) {
  const rows = results.rows.filter((r) => r.path === 'reference');
  const last = rows.reduce<(typeof rows)[number] | null>((a, r) => (!a || r.position > a.position ? r : a), null);
  if (!last) return null;
  return (
    <ShareResult
      backend={backend}
      result={{
        kind: 'bench',
        model: results.size ?? 'austen',
        tokens: last.position,
        repeats: results.repeats,
        naiveMedianMs: last.naiveMs,
        cachedMedianMs: last.cachedMs,
        tokensMatch: fastDelta <= 1e-4,
      }}
    />
  );
}

/** The crossover sentence from the finished run's own fast-path medians (the table above), not the short probe. */
function CrossoverLine({ results, blockSize, label }: { results: BenchResults; blockSize: number; label: string }) {
  const fit = benchStepModel(results.rows, 'fast');
  if (!fit) return null;
  return <p data-crossover="">{describeCrossover(crossover(fit), blockSize, label, 'a naive step on the fast path (the medians above)')}</p>;
}
