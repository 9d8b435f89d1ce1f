'use client';

import { useCallback, useId, useState, type MouseEvent, type ReactNode } from 'react';
import { useUrlState, type UrlStateOptions } from '@/lib/hooks/useUrlState';

/**
 * State for a live cell plus a way back to its defaults. With `url`, the controls also live in the
 * page's URL (`?<name>.<field>=…`) so a link reproduces the cell; Reset clears them.
 */
export function useCellState<S extends Record<string, unknown>>(
  defaults: S,
  url?: UrlStateOptions<S>,
): [S, (patch: Partial<S>) => void, () => void] {
  const [state, setState] = useState(defaults);
  const update = useCallback((patch: Partial<S>) => setState((s) => ({ ...s, ...patch })), []);
  const reset = useCallback(() => setState(defaults), [defaults]);
  useUrlState(url, state, defaults, update);
  return [state, update, reset];
}

export interface LiveCellProps {
  /** Heading of the cell. */
  title: string;
  /** Stable name for tests and styling: rendered as `data-cell`. */
  name: string;
  /** One line under the title saying what the cell computes. */
  description?: ReactNode;
  /** Inputs: sliders, selects, buttons. A cell that only reports (the device check) has none. */
  controls?: ReactNode;
  /** Restores the cell's defaults; without it there is no Reset button (nothing to reset). */
  onReset?: () => void;
  /** The output area: numbers, charts, tables. */
  children: ReactNode;
}

const INTERACTIVE = 'a, button, input, select, textarea, summary, label, [tabindex]:not([data-cell]), [contenteditable]';

/** A click anywhere in a cell that did not land on a control focuses the cell (keys then go to it). */
function focusCell(e: MouseEvent<HTMLElement>): void {
  const target = e.target as HTMLElement;
  if (target.closest(INTERACTIVE)) return;
  if (window.getSelection()?.toString()) return; // the reader is selecting text to copy
  e.currentTarget.focus({ preventScroll: true });
}

/** A live cell: title, controls, output and a Reset button, laid out like a notebook code cell. */
export function LiveCell({ title, name, description, controls, onReset, children }: LiveCellProps) {
  const headingId = useId();
  return (
    // tabIndex -1: the cell itself can hold focus, so its keyboard shortcuts work after a click on its output.
    <section className="cell cell-live" aria-labelledby={headingId} data-cell={name} tabIndex={-1} onClick={focusCell}>
      <header className="cell-live-header">
        <span className="cell-kind" aria-hidden="true">
          live
        </span>
        <h2 id={headingId} className="cell-title">
          {title}
        </h2>
        {onReset ? (
          <button type="button" className="button button-quiet" onClick={onReset}>
            Reset
          </button>
        ) : null}
      </header>
      {description ? <p className="cell-description">{description}</p> : null}
      {controls ? (
        <div className="cell-controls" role="group" aria-label={`${title}: controls`}>
          {controls}
        </div>
      ) : null}
      <div className="cell-output">{children}</div>
    </section>
  );
}
