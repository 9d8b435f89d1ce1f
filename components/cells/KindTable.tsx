'use client';

import type { KindMeasurement } from '@/lib/lessons/cache-quality';
import type { KindSpec } from '@/lib/hooks/useKindMeasurements';

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The measurements of several cache kinds against the first (the float cache), one row each. */
export function KindTable({
  kinds,
  results,
  running,
  caption,
}: {
  kinds: readonly KindSpec[];
  results: Record<string, KindMeasurement>;
  running: string | null;
  caption: string;
}) {
  const ref = results[kinds[0].id];
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`${caption} (scrolls sideways)`}>
      <table className="data-table myth-table" data-kind-results={Object.keys(results).length}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Cache</th>
            <th scope="col">Bytes per token</th>
            <th scope="col">Smaller by</th>
            <th scope="col">Max |Δ logit|</th>
            <th scope="col">Loss per char (nats)</th>
            <th scope="col">Δ loss</th>
            <th scope="col">Greedy text differs from token</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => {
            const m = results[k.id];
            return (
              <tr key={k.id} data-kind={k.id}>
                <th scope="row">{k.label}</th>
                {m ? (
                  <>
                    <td data-bytes={m.bytesPerToken}>{fmt(m.bytesPerToken)}</td>
                    <td>{ref ? `${(ref.bytesPerToken / m.bytesPerToken).toFixed(2)}×` : '—'}</td>
                    <td data-logit-diff={m.maxAbsLogitDiff}>{m.maxAbsLogitDiff === 0 ? '0' : m.maxAbsLogitDiff.toExponential(2)}</td>
                    <td data-loss={m.lossPerChar}>{m.lossPerChar.toFixed(4)}</td>
                    <td>{ref ? (m.lossPerChar - ref.lossPerChar >= 0 ? '+' : '') + (m.lossPerChar - ref.lossPerChar).toFixed(4) : '—'}</td>
                    <td data-diverges={m.firstDivergence ?? 'none'}>
                      {m.firstDivergence === null ? `same ${m.generated} tokens` : m.firstDivergence + 1}
                    </td>
                  </>
                ) : (
                  <td colSpan={6}>{running === k.id ? 'measuring…' : 'not measured yet'}</td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
