'use client';

import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { GPT, ModelInfo, Tokenizer } from '@/lib/gpt';
import type { BackendState } from '@/lib/backend/store';
import { parseBackendParam } from '@/lib/backend/store';
import { assetPath } from '@/lib/paths';
import { useBackend } from './useBackend';
import { createModelRegistry, type EntrySnapshot, type LoadProgress } from '@/lib/model-registry';

/** The models the lab ships in `public/models/`. */
export type ModelName = 'austen' | 'austen-gqa';

/** Why a model is not running, typed so the UI can offer the right way out. */
export interface ModelError {
  message: string;
  /**
   * network: no answer from the server (Retry helps); missing: the files are not on this site (nothing
   * a learner can do); weights: files arrived damaged or do not fit together; backend: tfjs failed
   * (another backend may work).
   */
  kind: 'network' | 'missing' | 'weights' | 'backend' | 'unknown';
}

export interface UseModel {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** Weight bytes downloaded so far, once the manifest is read. */
  progress: LoadProgress | null;
  /** The model (its weights are tensors: pass it to lib/gpt, never into React state). */
  model: GPT | null;
  tokenizer: Tokenizer | null;
  info: ModelInfo | null;
  error: ModelError | null;
  /** Try again after an error (restarts tfjs too when the backend had failed). */
  retry(): void;
  backend: BackendState;
}

interface Loaded {
  model: GPT;
  tokenizer: Tokenizer;
  info: ModelInfo;
}

/** Exposes read-only tfjs counters for the browser tests (tensor counts before and after). */
function exposeDevHook(tf: typeof import('@tensorflow/tfjs-core')): void {
  (window as unknown as { __kvlab?: unknown }).__kvlab = {
    memory: () => tf.memory(),
    backend: () => tf.getBackend(),
  };
}

const registry = createModelRegistry<Loaded>(
  async (name, onProgress) => {
    const { loadTf } = await import('@/lib/backend');
    exposeDevHook(await loadTf());
    const gpt = await import('@/lib/gpt');
    return gpt.loadModel(assetPath(`/models/${name}/`), (url) => fetch(url), onProgress);
  },
  (loaded) => {
    // The registry only disposes what it loaded, so lib/gpt is already in the module cache.
    void import('@/lib/gpt').then((gpt) => gpt.disposeWeights(loaded.model.weights));
  },
  50,
);

/** Read-only access for tests and tools: how many cells hold `name` right now. */
export const modelRefs = (name: ModelName) => registry.refs(name);

/** Map a load failure to a kind and a message that says what to do next. */
export function classifyModelError(error: unknown): ModelError {
  const name = (error as { name?: string } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ModelLoadError') {
    const reason = (error as { reason?: string }).reason;
    return { kind: reason === 'missing' ? 'missing' : reason === 'corrupt' ? 'weights' : 'network', message };
  }
  if (name === 'WeightsError' || name === 'ConfigError') {
    return { kind: 'weights', message: `The model files do not fit together: ${message}` };
  }
  if (/webgpu|webgl|gpu|device|backend|wasm/i.test(message)) return { kind: 'backend', message };
  return { kind: 'unknown', message };
}

const NOTHING = () => () => undefined;
const noSnapshot = (): EntrySnapshot<Loaded> | undefined => undefined;

/**
 * Load a lab model once per page and share it between cells.
 *
 * Starts tfjs (`useBackend`), waits for a backend, then loads `public/models/<name>/` through
 * `loadModel`. The weights stay in a module-level registry, counted per mounted cell and disposed when
 * the last one unmounts. Switching `name` releases the old model and acquires the new one.
 *
 * ```tsx
 * const m = useModel('austen');
 * <ModelGate model={m}>{m.model && <MyView model={m.model} tokenizer={m.tokenizer!} />}</ModelGate>
 * ```
 */
export function useModel(name: ModelName): UseModel {
  const backend = useBackend();
  const backendReady = backend.status === 'ready' && !backend.report.lost;

  useEffect(() => {
    if (!backendReady) return;
    registry.acquire(name);
    return () => registry.release(name);
  }, [name, backendReady]);

  const subscribe = useCallback((l: () => void) => registry.subscribe(name, l), [name]);
  const getSnapshot = useCallback(() => registry.get(name), [name]);
  const entry = useSyncExternalStore(backendReady ? subscribe : NOTHING, backendReady ? getSnapshot : noSnapshot, noSnapshot);

  const retry = useCallback(() => {
    if (backend.status === 'error') {
      void import('@/lib/backend').then((m) => m.initBackend(parseBackendParam(window.location.search)).catch(() => undefined));
    } else {
      registry.retry(name);
    }
  }, [backend.status, name]);

  const base = { progress: entry?.progress ?? null, model: null, tokenizer: null, info: null, retry, backend };
  if (backend.status === 'error') {
    return { ...base, status: 'error', error: { kind: 'backend', message: backend.message } };
  }
  if (backend.status === 'ready' && backend.report.lost) {
    return { ...base, status: 'error', error: { kind: 'backend', message: backend.report.lost } };
  }
  if (!entry) return { ...base, status: backend.status === 'idle' ? 'idle' : 'loading', error: null };
  if (entry.status === 'loading') return { ...base, status: 'loading', error: null };
  if (entry.status === 'error') return { ...base, status: 'error', error: classifyModelError(entry.error) };
  const { model, tokenizer, info } = entry.value;
  return { ...base, status: 'ready', model, tokenizer, info, error: null };
}
