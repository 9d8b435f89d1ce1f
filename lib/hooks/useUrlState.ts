'use client';

import { useEffect, useRef } from 'react';
import { readCellState, writeCellState, type Allowed } from '@/lib/lessons/url-state';

export interface UrlStateOptions<S> {
  /** The cell's prefix in the query string: `race` → `?race.tokens=128`. */
  name: string;
  /** Allowed values per field (lists or tests); a URL value outside them is ignored. */
  allowed?: Partial<Record<keyof S, Allowed>>;
}

/** Waits this long after the last change before rewriting the URL (typing a prompt changes it often). */
const WRITE_DELAY_MS = 250;

/**
 * Keeps a cell's state and the page URL in step: once after hydration, the URL's values for this cell
 * are handed to `apply`; after that every change is written back with history.replaceState (no
 * navigation, no history entry per keystroke). Values equal to the defaults are left out of the URL.
 */
export function useUrlState<S extends Record<string, unknown>>(
  opts: UrlStateOptions<S> | undefined,
  state: S,
  defaults: S,
  apply: (patch: Partial<S>) => void,
): void {
  const loaded = useRef(false);
  const name = opts?.name;
  const allowed = useRef(opts?.allowed);

  useEffect(() => {
    if (!name) return;
    // After hydration: the exported HTML was rendered with the defaults.
    const frame = requestAnimationFrame(() => {
      const patch = readCellState(window.location.search, name, defaults, allowed.current);
      if (Object.keys(patch).length) apply(patch);
      loaded.current = true;
    });
    return () => cancelAnimationFrame(frame);
    // Read once per mount; defaults and apply are stable for a cell.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name]);

  useEffect(() => {
    if (!name || !loaded.current) return;
    const timer = setTimeout(() => {
      const search = writeCellState(window.location.search, name, state, defaults);
      if (search === window.location.search) return;
      const url = new URL(window.location.href);
      url.search = search;
      window.history.replaceState(window.history.state, '', url);
    }, WRITE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [name, state, defaults]);
}
