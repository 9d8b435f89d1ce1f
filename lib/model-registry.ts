/**
 * A per-page registry of loaded models with reference counting, free of React and tfjs.
 *
 * Several cells on a page share one copy of a model's weights. Each cell `acquire`s the model when it
 * mounts and `release`s it when it unmounts; when the count reaches zero the value is disposed (after
 * a short grace period, so React's mount → unmount → mount in development does not reload it). A load
 * that finishes after everyone left is disposed at once. Failed loads stay as errors until `retry`.
 */

export interface LoadProgress {
  loaded: number;
  total: number;
}

/** What the registry knows about one key, as plain values plus the loaded value itself. */
export type EntrySnapshot<T> =
  | { status: 'loading'; progress: LoadProgress | null }
  | { status: 'ready'; progress: LoadProgress | null; value: T }
  | { status: 'error'; progress: LoadProgress | null; error: unknown };

interface Entry<T> {
  refs: number;
  snapshot: EntrySnapshot<T>;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface ModelRegistry<T> {
  /** Count one more user of `key`, starting its load if nothing holds it. */
  acquire(key: string): void;
  /** Count one user fewer; the last release disposes the value (after `graceMs`). */
  release(key: string): void;
  /** The current snapshot (stable identity between changes), or undefined when nothing holds `key`. */
  get(key: string): EntrySnapshot<T> | undefined;
  /** Be told about every change of `key`'s snapshot. Returns the unsubscribe function. */
  subscribe(key: string, listener: () => void): () => void;
  /** Load `key` again after an error (no-op otherwise). */
  retry(key: string): void;
  /** Users of `key` right now (for tests). */
  refs(key: string): number;
}

export function createModelRegistry<T>(
  load: (key: string, onProgress: (p: LoadProgress) => void) => Promise<T>,
  dispose: (value: T) => void,
  graceMs = 0,
): ModelRegistry<T> {
  const entries = new Map<string, Entry<T>>();
  const listenersOf = new Map<string, Set<() => void>>();

  const set = (key: string, entry: Entry<T>, snapshot: EntrySnapshot<T>) => {
    entry.snapshot = snapshot;
    for (const l of listenersOf.get(key) ?? []) l();
  };

  const start = (key: string, entry: Entry<T>) => {
    set(key, entry, { status: 'loading', progress: null });
    load(key, (progress) => {
      if (entries.get(key) === entry && entry.snapshot.status === 'loading') set(key, entry, { status: 'loading', progress });
    }).then(
      (value) => {
        // Everyone left while it loaded (or a retry replaced this load): nobody will ever free it.
        if (entries.get(key) !== entry || entry.snapshot.status !== 'loading') return dispose(value);
        set(key, entry, { status: 'ready', progress: entry.snapshot.progress, value });
      },
      (error: unknown) => {
        if (entries.get(key) === entry) set(key, entry, { status: 'error', progress: entry.snapshot.progress, error });
      },
    );
  };

  const drop = (key: string, entry: Entry<T>) => {
    entries.delete(key);
    if (entry.snapshot.status === 'ready') dispose(entry.snapshot.value);
    for (const l of listenersOf.get(key) ?? []) l();
  };

  return {
    acquire(key) {
      let entry = entries.get(key);
      if (!entry) {
        entry = { refs: 0, snapshot: { status: 'loading', progress: null }, timer: null };
        entries.set(key, entry);
        start(key, entry);
      }
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.refs += 1;
    },
    release(key) {
      const entry = entries.get(key);
      if (!entry || entry.refs === 0) return;
      entry.refs -= 1;
      if (entry.refs > 0) return;
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (entry.refs === 0 && entries.get(key) === entry) drop(key, entry);
      }, graceMs);
    },
    get: (key) => entries.get(key)?.snapshot,
    subscribe(key, listener) {
      const listeners = listenersOf.get(key) ?? new Set();
      listenersOf.set(key, listeners);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    retry(key) {
      const entry = entries.get(key);
      if (entry && entry.snapshot.status === 'error') start(key, entry);
    },
    refs: (key) => entries.get(key)?.refs ?? 0,
  };
}
