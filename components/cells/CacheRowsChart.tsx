import { useMemo } from 'react';
import { LineChartCell } from '@/components/charts/LineChartCell';
import type { GPTConfig } from '@/lib/gpt/config';
import type { ViewRecord } from '@/lib/hooks/useGeneration';
import type { ModelName } from '@/lib/hooks/useModel';
import { cacheBytesFormula } from '@/lib/lessons/cache-rows';

interface Props {
  config: GPTConfig | undefined;
  /** The run's steps: cache length and bytes after each. */
  records: ViewRecord[];
  modelName: ModelName;
}

/** Cache bytes against positions cached: this run's measurements beside the formula for 4 and for 1 key/value heads. */
export function CacheRowsChart({ config: c, records, modelName }: Props) {
  const chartRows = useMemo(() => {
    if (!c) return [];
    const mha = { ...c, nKvHead: c.nHead };
    const mqa = { ...c, nKvHead: 1 };
    const row = (t: number, measured: number) => ({ tokens: t, measured, mha: cacheBytesFormula(mha, t), mqa: cacheBytesFormula(mqa, t) });
    return [row(0, 0), ...records.map((r) => row(r.cacheLength, r.cacheBytes))];
  }, [c, records]);

  return (
    <>
      <p className="section-label">Cache size against tokens</p>
      <LineChartCell
        name="cache-bytes"
        caption={
          'Bytes of the KV cache for each number of cached positions: measured on this run, and the ' +
          'formula for 4 and for 1 key/value heads'
        }
        data={chartRows}
        xKey="tokens"
        xLabel="Positions cached"
        yLabel="Bytes"
        height={240}
        series={[
          { key: 'measured', label: `Measured (${modelName})` },
          { key: 'mha', label: 'Formula, 4 K/V heads', dashed: true },
          { key: 'mqa', label: 'Formula, 1 K/V head', dashed: true },
        ]}
      />
    </>
  );
}
