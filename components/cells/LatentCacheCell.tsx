'use client';

import { LiveCell } from '@/components/notebook/LiveCell';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { ModelGate } from '@/components/model/ModelGate';
import { useKindMeasurements, type KindSpec } from '@/lib/hooks/useKindMeasurements';
import { useModel } from '@/lib/hooks/useModel';
import { useValPassage } from '@/lib/hooks/useValPassage';
import { KindTable } from './KindTable';
import './kv-cells.css';
import './size-cells.css';

/** Ranks of the latent, out of the nKvHead · hs = 128 numbers a key (or value) row has in our model. */
const RANKS = [128, 64, 32, 16, 8, 4];
const KINDS: KindSpec[] = [
  { id: 'full', label: 'float32 K and V (the usual cache)', recipe: { type: 'full' } },
  ...RANKS.map((r): KindSpec => ({ id: `latent:${r}`, label: `latent, rank ${r}`, recipe: { type: 'latent', rank: r } })),
];

/** "Latent caches": K and V of the Austen model factored post hoc with an SVD; loss against rank and bytes. */
export function LatentCacheCell() {
  const m = useModel('austen');
  const passage = useValPassage();
  const runs = useKindMeasurements(m.model, m.tokenizer, passage.text, KINDS);
  const full = runs.results.full;
  const rows = RANKS.flatMap((r) => {
    const x = runs.results[`latent:${r}`];
    return x && full ? [{ bytes: x.bytesPerToken, latent: x.lossPerChar, float: full.lossPerChar }] : [];
  }).sort((a, b) => a.bytes - b.bytes);

  return (
    <LiveCell
      title="A rank-r latent instead of K and V"
      name="latent-cache"
      description={
        "Every layer's key and value projections factored with an SVD; the cache keeps r numbers for " +
        'the key and r for the value of each token, and rebuilds K and V for attention.'
      }
      onReset={runs.reset}
      controls={
        <button
          type="button"
          className="button button-primary"
          onClick={runs.run}
          disabled={m.status !== 'ready' || !passage.text || runs.running !== null}
        >
          {runs.running ? `Measuring ${runs.running}…` : 'Measure every rank'}
        </button>
      }
    >
      <ModelGate model={m} label="the Austen model">
        <p className="cell-hint">
          {passage.error ?? (passage.source ? `Held-out passage: ${passage.source}.` : 'Loading the held-out passage…')}
        </p>
        {runs.error ? (
          <p className="cell-message error" role="alert">
            {runs.error}
          </p>
        ) : null}
        <KindTable
          kinds={KINDS}
          results={runs.results}
          running={runs.running}
          caption="The float cache and latent caches of decreasing rank on the held-out passage, measured against the float cache"
        />
        {rows.length > 1 ? (
          <LineChartCell
            name="latent-loss-bytes"
            caption="Loss per character (nats) against the bytes the latent cache stores per token, with the float cache's loss as a line"
            data={rows}
            xKey="bytes"
            xLabel="Cache bytes per token"
            yLabel="Loss per character"
            yDomain={['auto', 'auto']}
            height={240}
            formatY={(v) => v.toFixed(3)}
            series={[
              { key: 'latent', label: 'Latent cache (rank r)' },
              { key: 'float', label: 'Float cache', dashed: true },
            ]}
          />
        ) : null}
      </ModelGate>
    </LiveCell>
  );
}
