/**
 * A tiny store for the backend report, free of tfjs imports.
 *
 * The header badge subscribes to it on every page; only `lib/backend.ts` (loaded on demand by pages
 * that run tfjs) writes to it. That is what keeps tfjs out of the first-load JavaScript of pages that
 * never run a model.
 */
import { createStore } from '../store';

/** The tfjs backends the lab knows, in the order it tries them. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** What `initBackend` found: which backend runs, on what, and why others were passed over. */
export interface BackendReport {
  /** The backend tfjs is running on. */
  name: BackendName;
  /** The backend asked for with `?backend=`, or null when the lab chose. */
  requested: BackendName | null;
  /** The WebGPU adapter, when WebGPU runs. */
  adapter: {
    vendor: string;
    architecture: string;
    description?: string;
    /** True for a software rasterizer such as SwiftShader. */
    software: boolean;
  } | null;
  /** Backends tried (or passed over) before `name`, each with the reason. */
  skipped: { name: BackendName; reason: string }[];
  /** A caveat to show next to the name, e.g. "software GPU — timings not representative". */
  note?: string;
  /** Set when the WebGPU device was lost after start-up; tensors on it are gone. */
  lost?: string;
}

export type BackendState =
  | { status: 'idle' }
  | { status: 'loading'; requested: BackendName | null }
  | { status: 'ready'; report: BackendReport }
  | { status: 'error'; message: string };

const store = createStore<BackendState>({ status: 'idle' });

/** Current state; stable identity between changes (safe for useSyncExternalStore). */
export const getBackendState = (): BackendState => store.get();

/** Replace the state and notify subscribers. Called by lib/backend only. */
export const setBackendState = (next: BackendState): void => store.set(next);

/** Subscribe to changes; returns the unsubscribe function. */
export const subscribeBackend = (listener: () => void): (() => void) => store.subscribe(listener);

const SERVER_STATE: BackendState = { status: 'idle' };
/** The state during server rendering and hydration: nothing chosen yet. */
export function getServerBackendState(): BackendState {
  return SERVER_STATE;
}

/**
 * Read `?backend=` from a query string. Returns null for a missing or unknown value.
 * `parseBackendParam('?backend=wasm')` → `'wasm'`.
 */
export function parseBackendParam(search: string): BackendName | null {
  const value = new URLSearchParams(search).get('backend')?.trim().toLowerCase();
  return value && (BACKEND_ORDER as readonly string[]).includes(value) ? (value as BackendName) : null;
}
