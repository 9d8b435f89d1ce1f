'use client';

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';

/** One line of a chart: `key` is the field of each row that holds its y values. */
export interface ChartSeries {
  key: string;
  label: string;
  /** Any CSS colour; defaults to the theme's series colours. */
  color?: string;
  dashed?: boolean;
}

export type ChartRow = Record<string, number>;

export interface LineChartCellProps {
  /** Rendered as `data-chart` on the container (tests and styling find the chart by it). */
  name: string;
  /** What the chart shows, in words; also the caption of its table. */
  caption: string;
  data: readonly ChartRow[];
  xKey: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Fixed height in CSS pixels. */
  height?: number;
  formatX?: (value: number) => string;
  formatY?: (value: number) => string;
  /** Rows for the table; defaults to `data`. Give fewer when the chart has many points. */
  tableRows?: readonly ChartRow[];
  /** Show the table openly instead of behind "Show the numbers". */
  tableOpen?: boolean;
  /** 'log' when the series differ by orders of magnitude (values must be positive). */
  yScale?: 'linear' | 'log';
  /** The y axis range; defaults to 0…auto (linear). 'auto' on both ends zooms in on close values such as losses. */
  yDomain?: [number | 'auto', number | 'auto'];
}

const DEFAULT_COLORS = ['var(--series-1)', 'var(--series-2)', 'var(--series-3)', 'var(--series-4)'];
const plain = (v: number) => v.toLocaleString('en-US');

/**
 * A line chart over plain arrays with its numbers in a table: a thin recharts wrapper with a fixed
 * height and no animation (live data redraws often), reused by every lesson that plots.
 */
export function LineChartCell({
  name,
  caption,
  data,
  xKey,
  xLabel,
  yLabel,
  series,
  height = 280,
  formatX = plain,
  formatY = plain,
  tableRows,
  tableOpen = false,
  yScale = 'linear',
  yDomain,
}: LineChartCellProps) {
  const rows = tableRows ?? data;
  const table = (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`${caption} (table)`}>
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{xLabel}</th>
            {series.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row[xKey]}>
              <th scope="row">{formatX(row[xKey])}</th>
              {series.map((s) => (
                <td key={s.key}>{formatY(row[s.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <figure className="chart" data-chart={name}>
      <div className="chart-plot" style={{ height }} aria-hidden="true">
        <LineChart
          responsive
          // The table below is the accessible version; keep the SVG out of the tab order.
          accessibilityLayer={false}
          style={{ width: '100%', height }}
          data={data as ChartRow[]}
          margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
        >
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey={xKey}
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={formatX}
            stroke="var(--muted)"
            tick={{ fill: 'var(--muted)', fontSize: 12 }}
            label={{ value: xLabel, position: 'insideBottom', offset: -14, fill: 'var(--muted)', fontSize: 12 }}
          />
          <YAxis
            scale={yScale}
            // Log: a little room beyond the data at both ends, so the lowest line never lies on the axis.
            domain={yDomain ?? (yScale === 'log' ? [(lo: number) => lo / 1.4, (hi: number) => hi * 1.4] : [0, 'auto'])}
            allowDataOverflow={false}
            tickFormatter={formatY}
            stroke="var(--muted)"
            width={64}
            tick={{ fill: 'var(--muted)', fontSize: 12 }}
            label={{ value: yLabel, angle: -90, position: 'insideLeft', fill: 'var(--muted)', fontSize: 12, dy: 40 }}
          />
          <Tooltip
            formatter={(value) => (typeof value === 'number' ? formatY(value) : String(value))}
            labelFormatter={(label) => `${xLabel} ${typeof label === 'number' ? formatX(label) : String(label)}`}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }}
          />
          {/* No fixed height: recharts measures the legend, so a legend that wraps on a phone pushes the plot
              down instead of covering it. */}
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 13 }} />
          {series.map((s, i) => (
            <Line
              key={s.key}
              // Straight segments: the points are measurements, and a smoothed curve would draw values
              // between them that nobody measured.
              type="linear"
              dataKey={s.key}
              name={s.label}
              stroke={s.color ?? DEFAULT_COLORS[i % DEFAULT_COLORS.length]}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '6 4' : undefined}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </div>
      <figcaption className="chart-caption">{caption}</figcaption>
      {tableOpen ? (
        table
      ) : (
        <details className="chart-numbers">
          <summary>Show the numbers</summary>
          {table}
        </details>
      )}
    </figure>
  );
}
