import type { ModelName } from '@/lib/hooks/useModel';
import { firstDifference } from '@/lib/stats';

/** The two models the cache-rows cell steps, with their labels. */
export const ROWS_MODELS: Partial<Record<ModelName, string>> = {
  austen: 'Multi-head: 4 key/value heads',
  'austen-gqa': 'Multi-query: 1 key/value head',
};
const fmt = (n: number) => n.toLocaleString('en-US');

/** A finished or running generation of one model, kept to compare the two models on the same prompt. */
export interface Run {
  prompt: string;
  ids: number[];
  text: string;
  cacheLength: number;
  cacheBytes: number;
}

/** The two models' latest runs on this prompt side by side: where their texts part, and their cache per position. */
export function CacheRowsCompare({ runs, prompt }: { runs: Partial<Record<ModelName, Run>>; prompt: string }) {
  const a = runs.austen?.prompt === prompt ? runs.austen : undefined;
  const b = runs['austen-gqa']?.prompt === prompt ? runs['austen-gqa'] : undefined;
  if (!a || !b) {
    return <p className="cell-hint">Step one model, switch to the other and step it too: the two runs appear here side by side.</p>;
  }
  const n = Math.min(a.ids.length, b.ids.length);
  const d = firstDifference(a.ids.slice(0, n), b.ids.slice(0, n)); // only the tokens both runs have
  const k = d < 0 ? null : d;
  const perA = a.cacheBytes / Math.max(1, a.cacheLength);
  const perB = b.cacheBytes / Math.max(1, b.cacheLength);
  return (
    <div data-compare="">
      <div className="compare">
        {[a, b].map((run, i) => (
          <div key={i}>
            <h3>{i === 0 ? ROWS_MODELS.austen : ROWS_MODELS['austen-gqa']}</h3>
            <p>{run.text}</p>
          </div>
        ))}
      </div>
      <p className="compare-verdict" data-differs-at={k ?? 'none'}>
        {k === null ? `The first ${n} generated tokens are the same.` : `The texts differ from generated token ${k + 1} on.`} Cache per
        position: {fmt(perA)} bytes against {fmt(perB)} bytes —{' '}
        <strong data-cache-ratio={perA / perB}>{(perA / perB).toFixed(1)}× smaller</strong> with one key/value head.
      </p>
    </div>
  );
}
