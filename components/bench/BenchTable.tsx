'use client';

import { LineChartCell } from '@/components/charts/LineChartCell';
import { formatRates, type BenchResults } from '@/lib/bench/results';

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The bench's rows as a table (median and interquartile range) and a chart of step time against position. */
export function BenchTable({ results }: { results: BenchResults }) {
  const positions = [...new Set(results.rows.map((r) => r.position))];
  const at = (P: number, path: string) => results.rows.find((r) => r.position === P && r.path === path);
  const chart = positions.map((P) => ({
    position: P,
    naiveRef: at(P, 'reference')?.naiveMs ?? 0,
    cachedRef: at(P, 'reference')?.cachedMs ?? 0,
    naiveFast: at(P, 'fast')?.naiveMs ?? 0,
    cachedFast: at(P, 'fast')?.cachedMs ?? 0,
  }));
  return (
    <>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Bench results">
        <table className="data-table" data-bench-table>
          <caption>
            Milliseconds per decode step on {results.rows[0]?.backend}: median (middle half of {results.repeats} timed rounds)
            {results.runUp ? `, each step timed right after ${results.runUp} untimed cached steps of its own path, as generation runs it` : ''}
            {results.clock && results.clock.minSampleMs > 0
              ? `. This browser's clock ticks every ${results.clock.tickMs.toFixed(3)} ms, so a step shorter than ${results.clock.minSampleMs.toFixed(1)} ms is run back to back until that much time has passed, and each sample is their mean`
              : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Path</th>
              <th scope="col">Naive ms</th>
              <th scope="col">Cached ms</th>
              <th scope="col">Naive / cached</th>
              <th scope="col">Kernels naive / cached</th>
              <th scope="col">Share of bandwidth bound</th>
            </tr>
          </thead>
          <tbody>
            {results.rows.map((r) => (
              <tr key={`${r.position}-${r.path}`}>
                <td>{r.position}</td>
                <td>{r.path}</td>
                <td>
                  {ms(r.naiveMs)} <span className="spread">({ms(r.naiveSpread.q25)}–{ms(r.naiveSpread.q75)})</span>
                </td>
                <td>
                  {ms(r.cachedMs)} <span className="spread">({ms(r.cachedSpread.q25)}–{ms(r.cachedSpread.q75)})</span>
                </td>
                <td>{r.speedup.toFixed(1)}×</td>
                <td>
                  {r.naiveKernels ?? '–'} / {r.cachedKernels ?? '–'}
                  {r.naiveGpuPrograms != null ? ` (GPU programs ${r.naiveGpuPrograms} / ${r.cachedGpuPrograms})` : ''}
                </td>
                <td>{(r.share * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="note" data-bound-note="">
        Bandwidth bound: the time to read every weight and the whole cache once, at the rate this device read as many bytes (position:{' '}
        {formatRates(results.bandwidth)}); the share is that time over the cached step&apos;s median.
      </p>
      {results.rows.some((r) => r.path === 'static') ? (
        <p className="note" data-static-note="">
          <code>static</code>: the fast path&apos;s cached step with a static cache, which reserves the whole context up front and writes each new
          row into its own slot, as llama.cpp does; the <code>fast</code> rows use the full cache, which copies every row into a new tensor one row
          longer at each step. Its naive step is the fast path&apos;s: without a cache there is nothing to differ.
        </p>
      ) : null}
      {positions.length > 1 ? (
        <LineChartCell
          name="bench-chart"
          caption="Step time against position, both paths"
          data={chart}
          xKey="position"
          xLabel="position"
          yLabel="ms per step"
          yScale="log"
          formatY={ms}
          series={[
            { key: 'naiveRef', label: 'naive, reference' },
            { key: 'cachedRef', label: 'cached, reference' },
            { key: 'naiveFast', label: 'naive, fast', dashed: true },
            { key: 'cachedFast', label: 'cached, fast', dashed: true },
          ]}
        />
      ) : null}
    </>
  );
}
