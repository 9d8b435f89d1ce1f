'use client';

import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { ModelInfo, Tokenizer } from '@/lib/gpt';
import type { BackendState } from '@/lib/backend/store';
import { parseBackendParam } from '@/lib/backend/store';
import { assetPath } from '@/lib/paths';
import { useBackend } from './useBackend';
import { getClient, startModelThread, type ModelHandle } from '@/lib/worker/client';
import { createModelRegistry, type EntrySnapshot, type LoadProgress } from '@/lib/model-registry';

/** The models the lab ships in `public/models/`. */
export type ModelName = 'austen' | 'austen-gqa' | 'austen-gqa2';

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
  /**
   * The model as a handle (its key on the model thread and its config): pass it to the other hooks.
   * Changed with the model worker (issue 8): this used to be the `GPT` with its weight tensors, which
   * now stay in the worker; `model.config` reads as before.
   */
  model: ModelHandle | null;
  /** The tokenizer, in the page too (plain JavaScript): encode to count tokens, decode to label them. */
  tokenizer: Tokenizer | null;
  info: ModelInfo | null;
  error: ModelError | null;
  /** Try again after an error (restarts tfjs too when the backend had failed). */
  retry(): void;
  backend: BackendState;
}

interface Loaded {
  model: ModelHandle;
  tokenizer: Tokenizer;
  info: ModelInfo;
}

const registry = createModelRegistry<Loaded>(
  async (name, onProgress) => {
    await startModelThread(parseBackendParam(window.location.search));
    const url = new URL(assetPath(`/models/${name}/`), window.location.href).href;
    const [loaded, tokenizer] = await Promise.all([
      getClient().call('load', { key: name, url }, { onProgress: (p) => onProgress(p as LoadProgress) }),
      loadPageTokenizer(url),
    ]);
    return { model: { key: name, config: loaded.config }, tokenizer, info: loaded.info };
  },
  (loaded) =>
    void getClient()
      .call('unload', { key: loaded.model.key })
      .catch(() => undefined),
  50,
);

/** The page's own copy of the tokenizer (the worker loads one too): tokenizer.ts has no tfjs in it. */
async function loadPageTokenizer(url: string): Promise<Tokenizer> {
  const { loadTokenizer } = await import('@/lib/gpt/tokenizer');
  const res = await fetch(`${url}tokenizer.json`);
  if (!res.ok) throw Object.assign(new Error(`Could not load ${url}tokenizer.json (HTTP ${res.status}).`), { name: 'ModelLoadError' });
  return loadTokenizer(await res.json());
}

/** Read-only access for tests and tools: how many cells hold `name` right now. */
export const modelRefs = (name: ModelName) => registry.refs(name);

/** Errors that mean the files arrived but do not describe a model this lab can run (lib/gpt/model-errors.ts). */
const BROKEN_FILES = new Set([
  'WeightsError',
  'ConfigError',
  'TokenizerError',
  'ModelJsonError',
  'ManifestError',
  'ShapeError',
  'DtypeError',
  'ManifestPathError',
  'WeightsSizeError',
  'VocabSizeError',
  'NonFiniteWeightsError',
]);

/** Map a load failure to a kind and a message that says what to do next. */
export function classifyModelError(error: unknown): ModelError {
  const name = (error as { name?: string } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ModelMissingError') return { kind: 'missing', message };
  if (name === 'ModelLoadError' || name === 'ModelFileError') return { kind: 'network', message };
  if (name && BROKEN_FILES.has(name)) {
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
 * Starts the model thread and tfjs (`useBackend`), waits for a backend, then has the model thread load
 * `public/models/<name>/` through `loadModel`. The page keeps a handle and a tokenizer; the weights stay
 * on the model thread, counted per mounted cell here and disposed there when the last one unmounts.
 * Switching `name` releases the old model and acquires the new one.
 *
 * ```tsx
 * const m = useModel('austen');
 * const gen = useGeneration({ model: m.model, tokenizer: m.tokenizer, prompt });
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
      void startModelThread(parseBackendParam(window.location.search)).catch(() => undefined);
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
