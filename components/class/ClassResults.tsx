'use client';

import { useEffect, useMemo, useState } from 'react';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { downloadBlob } from '@/components/charts/download';
import { classCsv, groupResults, speedupBySize, type ClassGroup, type SharedResult } from '@/lib/lessons/class-results';
import { formatMs, formatSpeedup } from '@/lib/lessons/race';
import { assetPath } from '@/lib/paths';
import { useClassServer } from '@/lib/hooks/useClassServer';

/** How often the projector asks for new results: often enough to feel live, cheap for the server. */
const POLL_MS = 3000;
const BACKEND_LABELS: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
const label = (b: string) => BACKEND_LABELS[b] ?? b;

/** Polls GET /api/results (same origin) while the page is visible. */
function useSharedResults(enabled: boolean): { results: SharedResult[]; error: string | null } {
  const [results, setResults] = useState<SharedResult[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = async () => {
      if (document.hidden) return;
      try {
        const res = await fetch(assetPath('/api/results'), { cache: 'no-store' });
        if (!res.ok) throw new Error(String(res.status));
        const body = (await res.json()) as { results: SharedResult[] };
        if (live) {
          setResults(body.results);
          setError(null);
        }
      } catch {
        if (live) setError('Lost contact with the class server; still trying. The table shows the last results received.');
      }
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [enabled]);
  return { results, error };
}

/** The /class/ page's body: the room's race results, live, as a chart, a table and a CSV. */
export function ClassResults() {
  const server = useClassServer();
  const { results, error } = useSharedResults(server === 'present');
  const groups = useMemo(() => groupResults(results), [results]);
  const raceGroups = groups.filter((g) => g.kind === 'race');
  const benchGroups = groups.filter((g) => g.kind === 'bench');
  // The chart shows races only: a bench step at position P is another measurement (see the second table).
  const chart = useMemo(() => speedupBySize(results.filter((r) => r.kind === 'race')), [results]);

  if (server === 'checking') return <p className="viz-note">Looking for the class server…</p>;
  if (server === 'absent') {
    return (
      <div className="cell cell-prose" data-class-server="absent">
        <p>
          This page shows a room’s results when the lab is served by the classroom server. Here it is served by an ordinary web host, so
          there is nothing to show and nothing is sent anywhere.
        </p>
        <p>
          To run a class, the instructor starts <code>npx kvlab serve --lan</code> on a laptop, puts the printed address (or its QR code) on
          the projector, and opens this page there.
        </p>
      </div>
    );
  }
  return (
    <div className="class-results" data-class-server="present" data-result-count={results.length}>
      <p className="lede" aria-live="polite">
        {results.length === 0
          ? 'No results yet. Learners run the race (lesson 5) or the bench page and press “Share with the class”.'
          : `${results.length} result${results.length === 1 ? '' : 's'} from the room.`}
      </p>
      {error ? <p className="warn-text">{error}</p> : null}
      {raceGroups.length > 0 ? (
        <>
          <LineChartCell
            name="class-speedup"
            caption="Median speedup (naive ÷ cached, per token) by backend, for each number of generated tokens."
            data={chart.rows}
            xKey="tokens"
            xLabel="Tokens generated"
            yLabel="Speedup (×)"
            series={chart.backends.map((b) => ({ key: b, label: label(b) }))}
            formatY={formatSpeedup}
          />
          <GroupTable
            groups={raceGroups}
            kind="race"
            label="Results by device and backend (scrolls sideways)"
            caption="Every device and backend in the room, per number of tokens: medians over its results."
          />
        </>
      ) : null}
      {benchGroups.length > 0 ? (
        <GroupTable
          groups={benchGroups}
          kind="bench"
          label="Bench results by model size, device and backend (scrolls sideways)"
          caption="From the bench page: one decode step at the longest position measured, per model size. Medians over the results."
        />
      ) : null}
      {results.length > 0 ? (
        <div className="chart-actions">
          <button
            type="button"
            className="button"
            onClick={() => downloadBlob(new Blob([classCsv(results)], { type: 'text/csv' }), 'class-results.csv')}
          >
            Download CSV
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** The class table: races by tokens generated, or bench steps by model size and position. */
function GroupTable({
  groups,
  kind,
  label: regionLabel,
  caption,
}: {
  groups: ClassGroup[];
  kind: 'race' | 'bench';
  label: string;
  caption: string;
}) {
  const per = kind === 'race' ? 'token' : 'step';
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={regionLabel}>
      <table className="data-table" {...{ [kind === 'race' ? 'data-class-table' : 'data-class-bench-table']: '' }}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {kind === 'bench' ? <th scope="col">Model size</th> : null}
            <th scope="col">{kind === 'race' ? 'Tokens' : 'Position'}</th>
            <th scope="col">Device</th>
            <th scope="col">Backend</th>
            <th scope="col">Speedup</th>
            <th scope="col">Naive ms/{per}</th>
            <th scope="col">Cached ms/{per}</th>
            <th scope="col">Results</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={`${g.model}|${g.tokens}|${g.device}|${g.backend}`}>
              {kind === 'bench' ? <th scope="row">{g.model}</th> : null}
              {kind === 'race' ? <th scope="row">{g.tokens}</th> : <td>{g.tokens}</td>}
              <td>{g.device}</td>
              <td>
                {label(g.backend)}
                {g.software ? ' (software GPU)' : ''}
              </td>
              <td>{formatSpeedup(g.speedup)}</td>
              <td>{formatMs(g.naiveMedianMs)}</td>
              <td>{formatMs(g.cachedMedianMs)}</td>
              <td>{g.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
