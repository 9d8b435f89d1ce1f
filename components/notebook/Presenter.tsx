'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { presentKeyAction, presentStart } from './present-keys';
import './presenter.css';

/** The cells of the lesson on this page: every element child of its `.notebook`. */
function cellsOf(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('.lesson .notebook > *')];
}

/** Writes `?present=N` (or removes it) without a navigation, keeping every other parameter. */
function writePresentParam(index: number | null): void {
  const url = new URL(window.location.href);
  if (index === null) url.searchParams.delete('present');
  else url.searchParams.set('present', String(index + 1));
  window.history.replaceState(window.history.state, '', url);
}

/**
 * Presenter view for a lesson: one cell at a time at projector size. `?present` (or the Present
 * button) starts it; → / PageDown / Space go forward and ← / PageUp back from anywhere on the page;
 * Escape returns to the notebook scrolled to the same cell. Cells stay mounted (only hidden), so live
 * cells keep their state and keep working.
 */
export function Presenter({ title }: { title: string }) {
  const [index, setIndex] = useState<number | null>(null);
  const [count, setCount] = useState(0);
  const indexRef = useRef(index);
  // The cell shown last, so that Escape can return the notebook to it.
  const lastRef = useRef(0);
  useEffect(() => {
    indexRef.current = index;
    if (index !== null) lastRef.current = index;
  });

  const go = useCallback((next: number) => {
    const cells = cellsOf();
    setIndex(Math.max(0, Math.min(next, cells.length - 1)));
    setCount(cells.length);
  }, []);

  // ?present on load, read after hydration (the exported HTML is the same with or without it).
  useEffect(() => {
    const start = presentStart(window.location.search, cellsOf().length);
    if (start === null) return;
    const frame = requestAnimationFrame(() => go(start));
    return () => cancelAnimationFrame(frame);
  }, [go]);

  const exit = useCallback(() => setIndex(null), []);

  // Show the current cell, hide the rest; focus it so its own keys work and screen readers follow.
  useEffect(() => {
    const cells = cellsOf();
    const root = document.documentElement;
    if (index === null) {
      const wasPresenting = root.classList.contains('presenting');
      root.classList.remove('presenting');
      cells.forEach((c) => c.removeAttribute('data-present-current'));
      if (wasPresenting) {
        writePresentParam(null);
        const current = cells[lastRef.current];
        if (current) {
          current.scrollIntoView({ block: 'start' });
          if (!current.hasAttribute('tabindex')) current.setAttribute('tabindex', '-1');
          current.focus({ preventScroll: true });
        }
      }
      return;
    }
    root.classList.add('presenting');
    cells.forEach((c, i) => c.toggleAttribute('data-present-current', i === index));
    const current = cells[index];
    if (current) {
      if (!current.hasAttribute('tabindex')) current.setAttribute('tabindex', '-1');
      if (!current.contains(document.activeElement)) current.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
    writePresentParam(index);
  }, [index]);

  // Keys from anywhere on the page, after the cell's own handlers (bubbling) have had their turn.
  useEffect(() => {
    if (index === null) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const action = presentKeyAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        defaultPrevented: e.defaultPrevented,
        target: t ? { tagName: t.tagName, type: (t as HTMLInputElement).type, isContentEditable: t.isContentEditable } : null,
      });
      if (!action) return;
      e.preventDefault();
      const i = indexRef.current ?? 0;
      if (action === 'exit') exit();
      else if (action === 'next') go(i + 1);
      else if (action === 'previous') go(i - 1);
      else if (action === 'first') go(0);
      else go(Number.MAX_SAFE_INTEGER);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [index, go, exit]);

  if (index === null) {
    return (
      <button type="button" className="button present-button" onClick={() => go(0)} data-present-start="">
        Present
      </button>
    );
  }
  return (
    <div className="present-bar" role="toolbar" aria-label="Presenter view">
      <p className="present-title">{title}</p>
      <button type="button" className="button" onClick={() => go(index - 1)} aria-disabled={index === 0}>
        ← Back
      </button>
      <p className="present-progress" aria-live="polite" data-present-progress={`${index + 1}/${count}`}>
        Cell {index + 1} of {count}
      </p>
      <progress max={count} value={index + 1} aria-hidden="true" />
      <button type="button" className="button" onClick={() => go(index + 1)} aria-disabled={index >= count - 1}>
        Next →
      </button>
      <button type="button" className="button button-quiet" onClick={exit}>
        Exit (Esc)
      </button>
    </div>
  );
}
