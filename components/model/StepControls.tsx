'use client';

import { useEffect, useRef, useState } from 'react';
import { stepKeyAction } from '@/components/model/step-keys';
import type { BackendState } from '@/lib/backend/store';

export interface StepControlsProps {
  onStep: () => void;
  onTogglePlay: () => void;
  playing: boolean;
  /** A step is being computed: further presses are queued (see `queued`). */
  busy?: boolean;
  /** Presses waiting behind the step in flight. */
  queued?: number;
  /** Said in the cell when a step takes longer than BUSY_AFTER_MS, e.g. "compiling GPU programs…". */
  busyText?: string;
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
/**
 * What a slow step is doing: the first step on a GPU backend compiles its GPU programs; anything else is
 * just computing (wasm and cpu compile nothing).
 */
export function busyText(backend: BackendState, firstStep: boolean): string {
  const gpu = backend.status === 'ready' && (backend.report.name === 'webgpu' || backend.report.name === 'webgl');
  return gpu && firstStep ? 'compiling GPU programs for the first step…' : 'computing the step…';
}

/** A step slower than this gets a visible busy state (a fast step would only flicker). */
export const BUSY_AFTER_MS = 300;

export function StepControls({
  onStep,
  onTogglePlay,
  playing,
  busy = false,
  queued = 0,
  busyText = 'computing…',
  disabled = false,
  onReset,
}: StepControlsProps) {
  const root = useRef<HTMLDivElement>(null);
  const [slowFlag, setSlowFlag] = useState(false);
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => setSlowFlag(true), BUSY_AFTER_MS);
    return () => {
      clearTimeout(timer);
      setSlowFlag(false);
    };
  }, [busy]);
  const slow = busy && slowFlag;
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
          data-slow={slow ? 'true' : undefined}
        >
          Step
          {/* Hidden from the accessible name (still "Step"); the status line below says it in words. */}
          {slow || queued ? <span aria-hidden="true">{` · working…${queued ? ` +${queued}` : ''}`}</span> : null}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => !disabled && onTogglePlay()}
          aria-disabled={disabled}
          aria-pressed={playing}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        {onReset ? (
          <button type="button" className="button button-quiet" onClick={onReset}>
            Reset
          </button>
        ) : null}
      </div>
      <p className="phase" role="status" data-step-busy={slow ? 'true' : 'false'}>
        {slow ? `Working: ${busyText} Presses meanwhile are queued, not lost.` : ''}
      </p>
      <p className="kbd-legend">
        Keys inside this cell: <kbd>→</kbd> or <kbd>Space</kbd> step, <kbd>P</kbd> play / pause
      </p>
    </div>
  );
}
