'use client';

import { useId } from 'react';
import { codePointCount } from '@/lib/lessons/token-groups';

export interface PromptBoxProps {
  value: string;
  onChange: (text: string) => void;
  /** Tokens in the prompt (null while the tokenizer loads). */
  tokenCount: number | null;
  /** The model's context length, to say how much room is left. */
  blockSize?: number;
  /** A note such as "the prompt was cut" (shown in the warning colour). */
  notice?: string | null;
  /** An error such as "the prompt is empty" (shown in the error colour, announced). */
  error?: string | null;
  label?: string;
  rows?: number;
  disabled?: boolean;
}

/** A labelled prompt textarea with its character and token counts and any notice about it. */
export function PromptBox({
  value,
  onChange,
  tokenCount,
  blockSize,
  notice,
  error,
  label = 'Prompt',
  rows = 3,
  disabled = false,
}: PromptBoxProps) {
  const id = useId();
  const countId = `${id}-count`;
  return (
    <div className="field prompt-box">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={value}
        rows={rows}
        disabled={disabled}
        spellCheck={false}
        aria-describedby={countId}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id={countId} className="prompt-count">
        {/* Code points, not String.length: an emoji is one character here, not two UTF-16 units. */}
        {codePointCount(value)} characters (Unicode code points)
        {tokenCount !== null ? ` · ${tokenCount} tokens` : ' · tokens counted once the model loads'}
        {tokenCount !== null && blockSize ? ` of ${blockSize} the model can see` : ''}
      </p>
      {notice ? <p className="warn-text prompt-note">{notice}</p> : null}
      {error ? (
        <p className="error prompt-note" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
