'use client';

import { useEffect, useRef } from 'react';
import { stepKeyAction } from '@/components/model/step-keys';

export interface StepControlsProps {
  onStep: () => void;
  onTogglePlay: () => void;
  playing: boolean;
  /** A step is being computed: Step waits. */
  busy?: boolean;
  /** Nothing to step yet (model loading) or the run is over. */
  disabled?: boolean;
  /** Shows a Reset button too. Leave it out inside a LiveCell, whose header already has one. */
  onReset?: () => void;
}

/**
 * Step, Play/Pause (and optionally Reset) with keyboard shortcuts for the whole cell: → or Space
 * steps and P plays or pauses while focus is anywhere inside the enclosing `[data-cell]` — but not
 * while typing in a field. A visible legend says so.
 */
export function StepControls({ onStep, onTogglePlay, playing, busy = false, disabled = false, onReset }: StepControlsProps) {
  const root = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onStep, onTogglePlay, disabled });
  useEffect(() => {
    handlers.current = { onStep, onTogglePlay, disabled };
  });

  useEffect(() => {
    const cell = root.current?.closest<HTMLElement>('[data-cell]') ?? root.current;
    if (!cell) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const action = stepKeyAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        target: t ? { tagName: t.tagName, type: (t as HTMLInputElement).type, isContentEditable: t.isContentEditable } : null,
      });
      if (!action || handlers.current.disabled) return;
      e.preventDefault();
      if (action === 'step') handlers.current.onStep();
      else handlers.current.onTogglePlay();
    };
    cell.addEventListener('keydown', onKey);
    return () => cell.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="step-controls" ref={root}>
      <div className="step-buttons">
        {/* aria-disabled, not disabled: a disabled button drops keyboard focus out of the cell. */}
        <button
          type="button"
          className="button button-primary"
          onClick={() => !(disabled || playing) && onStep()}
          aria-disabled={disabled || playing}
          aria-busy={busy}
        >
          Step
        </button>
        <button type="button" className="button" onClick={() => !disabled && onTogglePlay()} aria-disabled={disabled} aria-pressed={playing}>
          {playing ? 'Pause' : 'Play'}
        </button>
        {onReset ? (
          <button type="button" className="button button-quiet" onClick={onReset}>
            Reset
          </button>
        ) : null}
      </div>
      <p className="kbd-legend">
        Keys inside this cell: <kbd>→</kbd> or <kbd>Space</kbd> step, <kbd>P</kbd> play / pause
      </p>
    </div>
  );
}
