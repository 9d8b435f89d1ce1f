/**
 * Keyboard shortcuts of a stepping cell, as a pure function so it can be tested without a browser:
 * → or Space steps, P plays or pauses — except while the user types in a field or operates a control
 * that already owns the key (Space on a button presses that button; → moves a slider).
 */

export type StepKeyAction = 'step' | 'togglePlay' | null;

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focused element: its tag name, `type` for inputs, and whether it is content-editable. */
  target: { tagName: string; type?: string; isContentEditable?: boolean } | null;
}

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number']);

/** True when keys typed here are text (or caret movement) the user means for the field. */
export function isTypingTarget(target: KeyLike['target']): boolean {
  if (!target) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || target.isContentEditable) return true;
  if (tag === 'SELECT') return true;
  return tag === 'INPUT' && TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
}

/** What a key press inside a stepping cell should do. */
export function stepKeyAction(e: KeyLike): StepKeyAction {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return null;
  const tag = e.target?.tagName.toUpperCase() ?? '';
  const isInput = tag === 'INPUT';
  if (e.key === 'ArrowRight') return isInput ? null : 'step';
  // Space already activates buttons, links, checkboxes and disclosure summaries: leave it to them.
  if (e.key === ' ' || e.key === 'Spacebar') return isInput || ['BUTTON', 'A', 'SUMMARY'].includes(tag) ? null : 'step';
  if (e.key === 'p' || e.key === 'P') return 'togglePlay';
  return null;
}
