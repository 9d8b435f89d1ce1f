'use client';

import './viz.css';

export interface TokenStripProps {
  labels: readonly string[];
  /** The position being looked at (its query); later positions show as "not yet seen". */
  current?: number;
  highlight?: number | null;
  onPoint?: (position: number | null) => void;
  label: string;
}

/** The traced tokens in a row; the pointed-at one lights up, the current one is bold. */
export function TokenStrip({ labels, current, highlight = null, onPoint, label }: TokenStripProps) {
  return (
    <ol className="token-strip" aria-label={label} onMouseLeave={() => onPoint?.(null)}>
      {labels.map((l, i) => (
        <li
          key={i}
          data-position={i}
          data-current={i === current ? 'true' : undefined}
          data-future={current !== undefined && i > current ? 'true' : undefined}
          data-highlight={i === highlight ? 'true' : undefined}
          onMouseEnter={() => onPoint?.(i)}
        >
          {l.replace(/ /g, '\u00b7') || '\u2205'}
          <span className="visually-hidden">
            {' '}
            (position {i}
            {i === current ? ', the current token' : current !== undefined && i > current ? ', not yet seen' : ''})
          </span>
        </li>
      ))}
    </ol>
  );
}
