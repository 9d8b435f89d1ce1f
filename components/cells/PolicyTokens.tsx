'use client';

/** One position of the sequence as the keep-less view shows it. */
export interface PositionView {
  position: number;
  label: string;
  /** kept: in the cache; evicted: dropped by the policy; next: generated, not fed back yet. */
  state: 'kept' | 'evicted' | 'next';
  evictedAt: number | null;
  /** The newest token's attention on it during the last step (null: it was not read). */
  attention: number | null;
}

const pct = (a: number) => `${(a * 100).toFixed(a < 0.1 ? 1 : 0)}%`;

/**
 * Every position so far, in reading order: kept positions shaded by the attention the newest token
 * paid them, evicted ones greyed and struck out with the step that evicted them. Plain props.
 */
export function PolicyTokens({ positions }: { positions: readonly PositionView[] }) {
  const max = Math.max(1e-9, ...positions.map((p) => p.attention ?? 0));
  return (
    <>
      <ol className="policy-tokens" aria-label="Positions: kept, evicted, and the attention on each">
        {positions.map((p) => {
          const what =
            p.state === 'kept'
              ? `kept${p.attention !== null ? `, attention ${pct(p.attention)}` : ''}`
              : p.state === 'evicted'
                ? `evicted after step ${p.evictedAt}`
                : 'just generated';
          return (
            <li
              key={p.position}
              className={`pt pt-${p.state}`}
              data-position={p.position}
              data-state={p.state}
              style={
                p.state === 'kept' && p.attention !== null
                  ? {
                      // Alpha ≤ 0.56: the label keeps 4.5:1 contrast.
                      background: `rgb(194 65 12 / ${(0.06 + 0.5 * (p.attention / max)).toFixed(3)})`,
                    }
                  : undefined
              }
              title={`position ${p.position}: ${what}`}
            >
              <span className="pt-label">{p.label.replace(/ /g, '\u00b7')}</span>
              {p.state === 'evicted' ? <sup className="pt-step">s{p.evictedAt}</sup> : null}
              <span className="visually-hidden">
                {' '}
                (position {p.position}, {what})
              </span>
            </li>
          );
        })}
      </ol>
      <p className="kv-legend">
        <span>
          <span className="pt-swatch pt-swatch-hot" aria-hidden="true" /> kept, much attention
        </span>
        <span>
          <span className="pt-swatch pt-swatch-cold" aria-hidden="true" /> kept, little attention
        </span>
        <span>
          <span className="pt-swatch pt-swatch-evicted" aria-hidden="true" /> evicted (s<em>n</em>: after step <em>n</em>)
        </span>
      </p>
    </>
  );
}
