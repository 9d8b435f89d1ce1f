'use client';

import type { ReactNode } from 'react';
import type { ModelError, UseModel } from '@/lib/hooks/useModel';
import type { GPTConfig } from '@/lib/gpt/config';
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
export function RunsOn({ model, shape }: { model: UseModel; shape?: ModelShape }) {
  const b = model.backend;
  const name = b.status === 'ready' ? b.report.name : null;
  const note = b.status === 'ready' ? (b.report.lost ?? b.report.note) : undefined;
  const info = shape ?? model.info;
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

/**
 * What a learner reads when a model cannot run: what happened in plain words, what they can do, and
 * only the actions that can help (Retry for a dropped connection, another backend for a backend
 * failure). The developer's message goes behind a "details" disclosure.
 */
export function learnerMessage(kind: ModelError['kind'], label: string): { what: string; todo: string; retry: boolean; backends: boolean } {
  switch (kind) {
    case 'network':
      return {
        what: `${cap(label)} could not be downloaded.`,
        todo: 'The connection may have dropped. Check the wifi, then press Retry.',
        retry: true,
        backends: false,
      };
    case 'missing':
      return {
        what: `${cap(label)} is not on this site.`,
        todo:
          'Its files are missing from the server, so there is nothing to fix on your side. Tell your ' +
          'instructor; the lessons without a model still work.',
        retry: true,
        backends: false,
      };
    case 'weights':
      return {
        what: `${cap(label)} arrived damaged.`,
        todo:
          'Part of a file may have been lost on the way. Press Retry to download it again; if it keeps ' +
          'happening, tell your instructor.',
        retry: true,
        backends: false,
      };
    case 'backend':
      return {
        what: 'This browser could not run the model on its current backend.',
        todo: 'Another backend usually works: pick one below (the page reloads). Retry tries the same one again.',
        retry: true,
        backends: true,
      };
    default:
      return {
        what: `${cap(label)} could not start.`,
        todo: 'Press Retry. If it fails again, reloading the page on another backend may help.',
        retry: true,
        backends: true,
      };
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A model's shape as the "Running on" line states it. */
export interface ModelShape {
  config: GPTConfig;
  params: number;
}

export interface ModelGateProps {
  model: UseModel;
  /** The model the cell really runs, when it is not `model` itself (the race's timing sizes). */
  shape?: ModelShape;
  /** What to call the model in messages, e.g. "the Austen model". */
  label?: string;
  /** Rendered once the model is ready. */
  children: ReactNode;
}

/**
 * Stands in for a model cell's output until the model runs: a progress bar with bytes while it
 * loads, and on failure what happened and what helps (see learnerMessage). Never a blank cell.
 */
export function ModelGate({ model, shape, label = 'the model', children }: ModelGateProps) {
  const { status, progress, error, backend } = model;
  const current = backend.status === 'ready' ? backend.report.name : null;
  let body: ReactNode = children;
  if (status === 'error' && error) {
    const m = learnerMessage(error.kind, label);
    body = (
      <div className="model-error" role="alert" data-model-error={error.kind}>
        <p className="model-error-title">{m.what}</p>
        <p>{m.todo}</p>
        {m.retry ? (
          <p>
            <button type="button" className="button" onClick={model.retry}>
              Retry
            </button>
          </p>
        ) : null}
        {m.backends ? (
          <>
            <p>Or reload the page on another backend:</p>
            <OtherBackends current={current} />
          </>
        ) : null}
        <details className="model-error-detail">
          <summary>Details for the instructor</summary>
          <p>{error.message}</p>
        </details>
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
        <progress aria-label={`Loading ${label}`} max={progress?.total || 1} value={starting || !progress ? undefined : progress.loaded} />
      </div>
    );
  }
  return (
    <div className="model-gate" data-model-status={status}>
      <RunsOn model={model} shape={shape} />
      {body}
    </div>
  );
}
