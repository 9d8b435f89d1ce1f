import type { GPTConfig } from '@/lib/gpt/config';
import { cacheBytesFormula } from '@/lib/lessons/cache-rows';

const fmt = (n: number) => n.toLocaleString('en-US');

interface Props {
  /** Positions cached. */
  T: number;
  /** Bytes the cache holds, measured. */
  cacheBytes: number;
  /** The largest change the last step made to a row already cached; null before there are two reads. */
  oldRowChange: number | null;
  config: GPTConfig | undefined;
  /** Head size. */
  hs: number;
}

/** The cache's length and size as measured, whether old rows moved, and the size formula with this model's numbers. */
export function CacheRowsStats({ T, cacheBytes, oldRowChange, config: c, hs }: Props) {
  return (
    <>
      <dl className="stats">
        <div>
          <dt>Positions cached (T)</dt>
          <dd data-cache-len={T} aria-live="polite">
            {T}
          </dd>
        </div>
        <div>
          <dt>Cache size, measured</dt>
          <dd data-cache-bytes={cacheBytes}>{fmt(cacheBytes)} bytes</dd>
        </div>
        <div>
          <dt>Old rows changed by the last step</dt>
          <dd data-old-row-change={oldRowChange ?? 'n/a'}>
            {oldRowChange === null ? '—' : oldRowChange === 0 ? 'none' : `max |Δ| ${oldRowChange.toExponential(1)}`}
          </dd>
        </div>
      </dl>
      {c ? (
        <p className="formula" data-formula-bytes={cacheBytesFormula(c, T)}>
          2 · nLayer {c.nLayer} · nKvHead {c.nKvHead} · hs {hs} · T {T} · 4 bytes = {fmt(cacheBytesFormula(c, T))} bytes
        </p>
      ) : null}
    </>
  );
}
