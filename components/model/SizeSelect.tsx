'use client';

import { useId } from 'react';
import { MODEL_SIZES, SIZE_PRESETS, type ModelSize } from '@/lib/lessons/sizes';

/** The model-size control the race and the bench share: the trained austen or a timing model. */
export function SizeSelect({ value, disabled, onChange }: { value: ModelSize; disabled: boolean; onChange: (size: ModelSize) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Model size</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as ModelSize)}>
        {MODEL_SIZES.map((s) => (
          <option key={s} value={s}>
            {SIZE_PRESETS[s].label}
          </option>
        ))}
      </select>
    </div>
  );
}
