import type { PlainLayerKV } from '@/lib/gpt/kvcache';
import type { ViewToken } from '@/lib/hooks/useGeneration';
import { rowsOf } from '@/lib/lessons/cache-rows';
import { maxAbs } from '@/lib/stats';
import { CacheHeatmap } from './CacheHeatmap';

const ROW_H = 16;

interface Props {
  /** Positions cached. */
  T: number;
  /** The layer shown in detail, 0-based. */
  layer: number;
  /** The cached positions' tokens, oldest first. */
  labels: ViewToken[];
  /** That layer's keys and values, one row per position. */
  kRows: number[][];
  vRows: number[][];
  /** Colour scale shared by every K and V block. */
  scale: number;
  /** The newest position's query, all heads in one row; null before the first trace. */
  qRow: number[][] | null;
  /** Head size: the heatmaps draw a line between heads. */
  hs: number;
  /** Steps taken: a new q heatmap per step. */
  steps: number;
  /** Every layer's cache, for the overview. */
  cache: PlainLayerKV[] | null;
}

/** One layer's K and V blocks row by row beside the positions' tokens, the step's q, and every layer at a glance. */
export function CacheRowsBlocks({ T, layer, labels, kRows, vRows, scale, qRow, hs, steps, cache }: Props) {
  if (T === 0) {
    return <p className="cell-hint">Press Step: the prompt is read and its keys and values fill the first rows.</p>;
  }
  return (
    <>
      <p className="section-label">Layer {layer + 1}: keys and values, one row per position</p>
      <div className="kv-scroll" tabIndex={0} role="group" aria-label={`Layer ${layer + 1} cache blocks (scrolls sideways)`}>
        <div className="kv-layer">
          <ol className="kv-labels" style={{ paddingTop: '1.3rem', lineHeight: `${ROW_H}px` }} aria-label="Positions">
            {labels.map((t, i) => (
              <li key={t.position} className={i === labels.length - 1 ? 'kv-label-new' : undefined}>
                {t.label.replace(/ /g, '\u00b7')}
              </li>
            ))}
          </ol>
          <CacheHeatmap
            name="k"
            rows={kRows}
            title={`K, layer ${layer + 1}`}
            scale={scale}
            cellWidth={2}
            rowHeight={ROW_H}
            group={hs}
            highlightLast
          />
          <CacheHeatmap
            name="v"
            rows={vRows}
            title={`V, layer ${layer + 1}`}
            scale={scale}
            cellWidth={2}
            rowHeight={ROW_H}
            group={hs}
            highlightLast
          />
        </div>
        {qRow ? (
          <div className="q-row">
            <CacheHeatmap
              key={steps}
              name="q"
              rows={qRow}
              title={`q of the newest position, layer ${layer + 1}`}
              scale={Math.max(1e-6, maxAbs(qRow))}
              cellWidth={2}
              rowHeight={ROW_H}
              group={hs}
              transient
            />
            <p className="q-caption">q is used once, never cached: it asks this step&apos;s question of every key, then is thrown away.</p>
          </div>
        ) : null}
      </div>
      <p className="kv-legend">
        <span>
          <span className="swatch swatch-neg" aria-hidden="true" />
          negative
        </span>
        <span>
          <span className="swatch swatch-pos" aria-hidden="true" />
          positive
        </span>
        <span>Grey lines separate the heads; the outlined row is the one this step added.</span>
      </p>
      <p className="section-label">All {cache?.length ?? 0} layers at a glance (K then V)</p>
      <div className="kv-scroll">
        <div className="kv-overview">
          {(cache ?? []).map((l, i) => (
            <div className="kv-overview-layer" key={i}>
              <CacheHeatmap rows={rowsOf(l.k)} title={`L${i + 1} K`} scale={scale} cellWidth={1} rowHeight={3} highlightLast />
              <CacheHeatmap rows={rowsOf(l.v)} title={`L${i + 1} V`} scale={scale} cellWidth={1} rowHeight={3} highlightLast />
            </div>
          ))}
        </div>
      </div>
    </>
  );
}
