'use client';

import { formatValue, type HeadStep } from '@/lib/lessons/qkv';

export interface AttentionStagesProps {
  step: HeadStep;
  labels: readonly string[];
  hs: number;
  highlight: number | null;
  onPoint: (position: number | null) => void;
}

/**
 * The query's journey over every position, one row per key: q·k, ÷√hs, the causal mask, the softmax.
 * Plain table (numbers are the point here); the pointed-at row lights up like everywhere else.
 */
export function AttentionStages({ step, labels, hs, highlight, onPoint }: AttentionStagesProps) {
  const root = Math.sqrt(hs);
  const t = step.k.length - 1;
  return (
    <div className="table-scroll stages" data-stages="" tabIndex={0} role="region" aria-label="Attention stages (scrolls sideways)">
      <table className="data-table stages-table" onMouseLeave={() => onPoint(null)}>
        <caption>
          Each stage for the query of “{labels[t]}” (position {t}) against the key at every position; √{hs} = {root.toFixed(3)}. Rows after
          position {t} are the future: the mask sets them to −∞ and the softmax to 0.
        </caption>
        <thead>
          <tr>
            <th scope="col">Key position</th>
            <th scope="col">q·k</th>
            <th scope="col">÷ √{hs}</th>
            <th scope="col">causal mask</th>
            <th scope="col">softmax</th>
          </tr>
        </thead>
        <tbody>
          {step.scores.map((s, j) => (
            <tr key={j} data-position={j} data-highlight={highlight === j ? 'true' : undefined} onMouseEnter={() => onPoint(j)}>
              <th scope="row">
                {j} {labels[j]?.replace(/ /g, '\u00b7')}
              </th>
              <td>{formatValue(s, 3)}</td>
              <td>{formatValue(step.scaled[j], 3)}</td>
              <td>{formatValue(step.masked[j], 3)}</td>
              <td>
                {formatValue(step.weights[j], 3)}
                <span className="weight-bar" style={{ width: `${Math.round(step.weights[j] * 60)}px` }} aria-hidden="true" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
