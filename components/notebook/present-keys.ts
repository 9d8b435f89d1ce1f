/**
 * Which key moves the presenter view, as a pure function (tested without a browser). PageDown and
 * PageUp — what presenter remotes send — always move; → ← and Space move unless the focused element
 * uses them itself (typing, a slider, a button's Space) or a cell already handled them (a stepping
 * cell's → steps the model).
 */
import { isTypingTarget, type KeyLike } from '@/components/model/step-keys';

export type PresentAction = 'next' | 'previous' | 'exit' | 'first' | 'last' | null;

export function presentKeyAction(e: KeyLike & { defaultPrevented?: boolean }): PresentAction {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === 'PageDown') return 'next';
  if (e.key === 'PageUp') return 'previous';
  if (e.defaultPrevented) return null;
  if (e.key === 'Escape') return 'exit';
  if (isTypingTarget(e.target)) return null;
  const tag = e.target?.tagName.toUpperCase() ?? '';
  if (tag === 'INPUT') return null;
  if (e.key === 'ArrowRight') return 'next';
  if (e.key === 'ArrowLeft') return 'previous';
  if (e.key === ' ' || e.key === 'Spacebar') return ['BUTTON', 'A', 'SUMMARY'].includes(tag) ? null : 'next';
  if (e.key === 'Home') return 'first';
  if (e.key === 'End') return 'last';
  return null;
}

/** `?present` → first cell, `?present=3` → third (1-based, clamped); null when not presenting. */
export function presentStart(search: string, cells: number): number | null {
  const p = new URLSearchParams(search);
  if (!p.has('present')) return null;
  const n = Number.parseInt(p.get('present') ?? '', 10);
  if (!Number.isFinite(n) || n < 1) return 0;
  return Math.min(n, Math.max(cells, 1)) - 1;
}
