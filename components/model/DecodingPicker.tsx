'use client';

import { useId } from 'react';
import { type DecodingMode, READABLE_SAMPLING } from '@/lib/lessons/decoding';

export interface DecodingPickerProps {
  mode: DecodingMode;
  seed: number;
  onChange: (patch: { mode?: DecodingMode; seed?: number }) => void;
  disabled?: boolean;
}

/**
 * Seeded sampling (the lessons' default, chosen from measured samples) or greedy decoding, one click
 * apart. Under greedy the picker says why a model this small repeats itself.
 */
export function DecodingPicker({ mode, seed, onChange, disabled = false }: DecodingPickerProps) {
  const id = useId();
  return (
    <div className="decoding-picker">
      <fieldset className="field field-radios">
        <legend>Decoding</legend>
        <label>
          <input type="radio" name={id} checked={mode === 'sampled'} disabled={disabled} onChange={() => onChange({ mode: 'sampled' })} />{' '}
          sampled (temperature {READABLE_SAMPLING.temperature}, top-k {READABLE_SAMPLING.topK})
        </label>
        <label>
          <input type="radio" name={id} checked={mode === 'greedy'} disabled={disabled} onChange={() => onChange({ mode: 'greedy' })} />{' '}
          greedy
        </label>
      </fieldset>
      {mode === 'sampled' ? (
        <div className="field">
          <label htmlFor={`${id}-seed`}>Seed</label>
          <input
            id={`${id}-seed`}
            type="number"
            min={0}
            step={1}
            value={seed}
            disabled={disabled}
            onChange={(e) => onChange({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
          />
        </div>
      ) : (
        <p className="decoding-note">
          Greedy takes the single most likely token every time. A model this small has a few phrases it finds most likely almost anywhere
          (&ldquo;of the&rdquo;, &ldquo;I am sure&rdquo;); once it writes one, the same text before it makes the same choice again, so it
          loops. Sampling breaks the loop by sometimes taking the second or tenth most likely token.
        </p>
      )}
    </div>
  );
}
