'use client';

import type { ReactNode } from 'react';
import type { UseModel } from '@/lib/hooks/useModel';
import type { BackendName } from '@/lib/backend/store';
import { BACKEND_ORDER } from '@/lib/backend/store';
import './model.css';

const LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Links that reload the page on each other backend (tfjs picks its backend once per page). */
export function OtherBackends({ current }: { current: BackendName | null }) {
  return (
    <ul className="backend-links" aria-label="Try another backend">
      {BACKEND_ORDER.filter((b) => b !== current).map((b) => (
        <li key={b}>
          <a className="button" href={`?backend=${b}`}>
            Try {LABELS[b]}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** One line naming the backend and model, so every live cell says where it runs. */
export function RunsOn({ model }: { model: UseModel }) {
  const b = model.backend;
  const name = b.status === 'ready' ? b.report.name : null;
  const note = b.status === 'ready' ? (b.report.lost ?? b.report.note) : undefined;
  const info = model.info;
  return (
    <p className="runs-on" data-runs-on={name ?? 'pending'}>
      <span className="badge-dot" aria-hidden="true" />
      {name ? `Running on ${LABELS[name]}` : 'Starting TensorFlow.js…'}
      {note ? <span className="runs-on-note"> — {note}</span> : null}
      {info ? (
        <span className="runs-on-model">
          {' '}
          · {info.config.nLayer} layers, {info.config.nHead} query heads, {info.config.nKvHead} key/value{' '}
          {info.config.nKvHead === 1 ? 'head' : 'heads'}, {(info.params / 1e6).toFixed(2)} M parameters
        </span>
      ) : null}
    </p>
  );
}

export interface ModelGateProps {
  model: UseModel;
  /** What to call the model in messages, e.g. "the Austen model". */
  label?: string;
  /** Rendered once the model is ready. */
  children: ReactNode;
}

/**
 * Stands in for a model cell's output until the model runs: a progress bar with bytes while it
 * loads, and on failure what happened, Retry, and links to the other backends. Never a blank cell.
 */
export function ModelGate({ model, label = 'the model', children }: ModelGateProps) {
  const { status, progress, error, backend } = model;
  const current = backend.status === 'ready' ? backend.report.name : null;
  let body: ReactNode = children;
  if (status === 'error' && error) {
    const what = {
      network: `Could not download ${label}.`,
      weights: `The files of ${label} do not fit together.`,
      backend: 'TensorFlow.js could not run here.',
      unknown: `Could not start ${label}.`,
    }[error.kind];
    body = (
      <div className="model-error" role="alert" data-model-error={error.kind}>
        <p className="model-error-title">{what}</p>
        <p className="model-error-detail">{error.message}</p>
        <p>
          <button type="button" className="button" onClick={model.retry}>
            Retry
          </button>
        </p>
        <p>Or reload the page on another backend:</p>
        <OtherBackends current={current} />
      </div>
    );
  } else if (status !== 'ready') {
    const starting = backend.status !== 'ready';
    body = (
      <div className="model-loading" data-model-loading="">
        <p>
          {starting
            ? 'Starting TensorFlow.js…'
            : progress
              ? `Loading ${label}: ${mb(progress.loaded)} of ${mb(progress.total)}`
              : `Loading ${label}…`}
        </p>
        <progress
          aria-label={`Loading ${label}`}
          max={progress?.total || 1}
          value={starting || !progress ? undefined : progress.loaded}
        />
      </div>
    );
  }
  return (
    <div className="model-gate" data-model-status={status}>
      <RunsOn model={model} />
      {body}
    </div>
  );
}
