'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
import { useBackend } from '@/lib/hooks/useBackend';
import type { MatMulCheck } from '@/lib/backend/device-check';
import { BACKEND_ORDER, type BackendName, type BackendReport } from '@/lib/backend/store';
import { getClient, getThread, subscribeThread, type ThreadInfo } from '@/lib/worker/client';
import { LiveCell } from '@/components/notebook/LiveCell';

const LABELS = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (plain JavaScript)' } as const;
const SERVER_THREAD: ThreadInfo = { where: 'unknown', why: '' };

/** Every backend's status in this page's choice: running, passed over (and why), or not tried. */
export function backendStatuses(report: BackendReport): { name: BackendName; status: 'running' | 'skipped' | 'not tried'; why: string }[] {
  return BACKEND_ORDER.map((name) => {
    if (name === report.name) {
      const why = report.requested === name ? 'asked for with ?backend=' : (report.note ?? 'the first in the order that started');
      return { name, status: 'running' as const, why };
    }
    const skipped = report.skipped.find((s) => s.name === name);
    if (skipped) return { name, status: 'skipped' as const, why: skipped.reason };
    return { name, status: 'not tried' as const, why: `not needed: ${LABELS[report.name]} started first` };
  });
}

/** The "Your device" report: chosen backend, adapter, skipped backends and a timed matMul. */
export function DeviceReport() {
  const state = useBackend();
  const [check, setCheck] = useState<MatMulCheck | { error: string } | null>(null);
  const thread = useSyncExternalStore(subscribeThread, getThread, () => SERVER_THREAD);

  useEffect(() => {
    if (state.status !== 'ready') return;
    let cancelled = false;
    getClient()
      .call('matmul', { size: 256, runs: 5 })
      .then(
        (result) => !cancelled && setCheck(result),
        (error: unknown) => !cancelled && setCheck({ error: error instanceof Error ? error.message : String(error) }),
      );
    return () => {
      cancelled = true;
    };
  }, [state.status]);

  return (
    <div className="notebook">
      <LiveCell name="device" title="Backend">
        <div aria-live="polite">
          {state.status === 'idle' || state.status === 'loading' ? <p>Starting TensorFlow.js…</p> : null}
          {state.status === 'error' ? (
            <p className="error" role="alert">
              {state.message} Try another browser, or update this one.
            </p>
          ) : null}
          {state.status === 'ready' ? (
            <dl className="report" data-report-backend={state.report.name}>
              <div>
                <dt>Running on</dt>
                <dd>
                  <strong>{LABELS[state.report.name]}</strong>
                  {state.report.requested ? ` (asked for ${state.report.requested} with ?backend=)` : ' (chosen automatically)'}
                </dd>
              </div>
              <div>
                <dt>Where the model runs</dt>
                <dd data-thread={thread.where}>{thread.why}</dd>
              </div>
              <div>
                <dt>GPU adapter</dt>
                <dd>
                  {state.report.adapter
                    ? `${state.report.adapter.vendor}, ${state.report.adapter.architecture}${
                        state.report.adapter.description ? ` — ${state.report.adapter.description}` : ''
                      }`
                    : 'none in use'}
                  {state.report.note ? <span className="warn-text"> · {state.report.note}</span> : null}
                </dd>
              </div>
              {state.report.lost ? (
                <div>
                  <dt>Problem</dt>
                  <dd className="error">{state.report.lost}</dd>
                </div>
              ) : null}
              <div>
                <dt>Every backend</dt>
                <dd>
                  <ul className="plain-list" data-backend-statuses="">
                    {backendStatuses(state.report).map((b) => (
                      <li key={b.name} data-backend-status={b.status} data-name={b.name}>
                        <strong>{LABELS[b.name]}</strong> — {b.status}: {b.why}
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            </dl>
          ) : null}
        </div>
      </LiveCell>

      <LiveCell name="matmul" title="A 256 × 256 matrix multiply">
        <div aria-live="polite">
          {check === null ? (
            <p data-matmul="pending">{state.status === 'error' ? 'No backend to run on.' : 'Running…'}</p>
          ) : 'error' in check ? (
            <p className="error" data-matmul="error">
              The computation failed: {check.error}
            </p>
          ) : (
            <p data-matmul={check.ok ? 'ok' : 'wrong'} data-matmul-backend={check.backend}>
              {check.ok ? 'Correct' : 'Wrong result'} on <strong>{check.backend}</strong>: median{' '}
              <span className="num">{check.medianMs.toFixed(2)} ms</span> over {check.runs} runs, largest difference from JavaScript{' '}
              <span className="num">{check.maxError.toExponential(1)}</span>.
            </p>
          )}
        </div>
      </LiveCell>

      <section className="cell cell-prose" aria-labelledby="force-heading">
        <h2 id="force-heading">Try another backend</h2>
        <p>Each link reloads this page with that backend asked for first; if it cannot start, the next one takes over.</p>
        {/* Plain links on purpose: a full page load, because the backend is chosen once per page. */}
        <ul className="backend-links">
          {BACKEND_ORDER.map((name) => (
            <li key={name}>
              <a className="button" href={`?backend=${name}`}>
                {LABELS[name]}
              </a>
            </li>
          ))}
          <li>
            <a className="button button-quiet" href="?">
              Automatic
            </a>
          </li>
        </ul>
      </section>
    </div>
  );
}
