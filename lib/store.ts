/**
 * A tiny external store for React's useSyncExternalStore, free of React and tfjs: a value, a setter
 * that notifies, and a subscribe that returns its unsubscribe function. `get` returns the same object
 * until the next `set`, as useSyncExternalStore requires.
 */
export interface Store<T> {
  get(): T;
  set(next: T): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
