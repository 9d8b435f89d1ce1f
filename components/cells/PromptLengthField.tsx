'use client';

import { useId } from 'react';

export interface PromptLengthFieldProps {
  /** NaN while the number box is empty. */
  value: number;
  min: number;
  max: number;
  disabled?: boolean;
  onChange(length: number): void;
  /** Id of the message that explains an invalid value (for aria-describedby). */
  errorId?: string;
}

/**
 * A prompt length as a slider and a number box over the same value: the slider for exploring, the box
 * for an exact figure. The box accepts anything so that the cell can say what is wrong with it.
 */
export function PromptLengthField({ value, min, max, disabled, onChange, errorId }: PromptLengthFieldProps) {
  const id = useId();
  const valid = Number.isFinite(value) && value >= min && value <= max;
  return (
    <div className="field">
      <label htmlFor={id}>
        Prompt length <var>P</var> in tokens
      </label>
      <input
        id={`${id}-range`}
        type="range"
        aria-label="Prompt length (slider)"
        min={min}
        max={max}
        value={valid ? value : Math.min(Math.max(min, Number.isFinite(value) ? value : min), max)}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <input
        id={id}
        type="number"
        inputMode="numeric"
        value={Number.isFinite(value) ? value : ''}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={!valid ? errorId : undefined}
        onChange={(e) => onChange(e.target.value === '' ? NaN : Number(e.target.value))}
      />
    </div>
  );
}
