'use client';

import { useEffect, useSyncExternalStore } from 'react';
import {
  getBackendState,
  getServerBackendState,
  parseBackendParam,
  subscribeBackend,
  type BackendState,
} from '@/lib/backend/store';

/** Read the backend state without starting tfjs (what the header badge does). */
export function useBackendState(): BackendState {
  return useSyncExternalStore(subscribeBackend, getBackendState, getServerBackendState);
}

/**
 * Start tfjs (honouring `?backend=` in the URL) and follow its state:
 * `idle` → `loading` → `ready` with a `BackendReport`, or `error` with a message for the user.
 * Model cells call this; tfjs is fetched only when a component using it mounts.
 */
export function useBackend(): BackendState {
  const state = useBackendState();
  useEffect(() => {
    const requested = parseBackendParam(window.location.search);
    import('@/lib/backend')
      .then((m) => m.initBackend(requested))
      // The failure is already in the store, where the UI shows it.
      .catch(() => undefined);
  }, []);
  return state;
}
