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

/** The float cache first: every other row is compared with it. Group size 32 (the default). */
const KINDS: KindSpec[] = [
  { id: 'full', label: 'float32 (the usual cache)', recipe: { type: 'full' } },
  { id: 'int8', label: 'int8, KIVI (keys per channel, values per token)', recipe: { type: 'quantized', bits: 8, scheme: 'kivi' } },
  { id: 'int4', label: 'int4, KIVI', recipe: { type: 'quantized', bits: 4, scheme: 'kivi' } },
  { id: 'int8-token', label: 'int8, per token (keys and values)', recipe: { type: 'quantized', bits: 8, scheme: 'token' } },
  { id: 'int4-token', label: 'int4, per token', recipe: { type: 'quantized', bits: 4, scheme: 'token' } },
];

/** "Smaller numbers": the Austen model's cache as float32, int8 and int4, KIVI and per token, measured live. */
export function QuantCacheCell() {
  const m = useModel('austen');
  const passage = useValPassage();
  const runs = useKindMeasurements(m.model, m.tokenizer, passage.text, KINDS);
  const r = runs.results;
  const full = r.full;
  // Float is the common starting point of both lines; KIVI and per-token store the same bytes at the same bits.
  const rows = full
    ? [32, 8, 4]
        .map((bits) => {
          const kivi = bits === 32 ? full : r[`int${bits}`];
          const token = bits === 32 ? full : r[`int${bits}-token`];
          return kivi && token ? { bytes: kivi.bytesPerToken, kivi: kivi.lossPerChar, token: token.lossPerChar } : null;
        })
        .filter((x): x is { bytes: number; kivi: number; token: number } => x !== null)
    : [];

  return (
    <LiveCell
      title="float32, int8 and int4 caches"
      name="quant-cache"
      description="The same model and text through five caches. Each is measured against the float cache."
      onReset={runs.reset}
      controls={
        <button
          type="button"
          className="button button-primary"
          onClick={runs.run}
          disabled={m.status !== 'ready' || !passage.text || runs.running !== null}
        >
          {runs.running ? `Measuring ${runs.running}…` : 'Measure the five caches'}
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
          results={r}
          running={runs.running}
          caption={
            full
              ? `Each cache on the held-out passage: bytes it stores per token (in a cache of ${full.bytesAt} ` +
                `positions), the largest logit difference from the float cache over a prefill and ` +
                `${full.compareSteps} decode steps, loss per character, and where ${full.generated} greedy ` +
                `tokens first differ`
              : 'Each cache on the held-out passage, measured against the float cache'
          }
        />
        {rows.length > 1 ? (
          <LineChartCell
            name="quant-loss-bytes"
            caption="Loss per character (nats) against the bytes the cache stores per token: float32, int8 and int4"
            data={rows}
            xKey="bytes"
            xLabel="Cache bytes per token"
            yLabel="Loss per character"
            yDomain={['auto', 'auto']}
            height={240}
            formatY={(v) => v.toFixed(3)}
            series={[
              { key: 'kivi', label: 'KIVI' },
              { key: 'token', label: 'Per token', dashed: true },
            ]}
          />
        ) : null}
      </ModelGate>
    </LiveCell>
  );
}
