'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { getBackendState, getServerBackendState, parseBackendParam, subscribeBackend, type BackendState } from '@/lib/backend/store';

/** Read the backend state without starting tfjs (what the header badge does). */
export function useBackendState(): BackendState {
  return useSyncExternalStore(subscribeBackend, getBackendState, getServerBackendState);
}

/**
 * Read-only counters for the browser tests: `await window.__kvlab.memory()` asks the model thread for
 * tf.memory() (an async call now that tfjs lives in the worker); `backend()` reads the page's store.
 */
function exposeDevHook(m: typeof import('@/lib/worker/client')): void {
  (window as unknown as { __kvlab?: unknown }).__kvlab = {
    memory: () => m.getClient().call('memory', undefined),
    backend: () => {
      const s = getBackendState();
      return s.status === 'ready' ? s.report.name : s.status;
    },
    thread: () => m.getThread(),
  };
}

/**
 * Start the model thread and tfjs on it (honouring `?backend=` in the URL) and follow its state:
 * `idle` → `loading` → `ready` with a `BackendReport`, or `error` with a message for the user.
 * Model cells call this; tfjs is fetched only when a component using it mounts.
 */
export function useBackend(): BackendState {
  const state = useBackendState();
  useEffect(() => {
    const requested = parseBackendParam(window.location.search);
    void import('@/lib/worker/client').then((m) => {
      exposeDevHook(m);
      // The failure is already in the store, where the UI shows it.
      m.startModelThread(requested).catch(() => undefined);
    });
  }, []);
  return state;
}
