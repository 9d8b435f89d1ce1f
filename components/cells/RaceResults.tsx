'use client';

import { useEffect, useMemo, useRef } from 'react';
import { LineChartCell } from '@/components/charts/LineChartCell';
import { chartPng, downloadBlob } from '@/components/charts/download';
import { ShareResult } from '@/components/class/ShareResult';
import type { BackendState } from '@/lib/backend/store';
import { clockTickMs, minSampleMsFor } from '@/lib/bench/clock';
import type { RaceState } from '@/lib/hooks/useRace';
import { formatMs, formatSpeedup, raceCsv, raceRows, summarizeRace, type RaceRow } from '@/lib/lessons/race';
import { setRaceReport } from '@/lib/lessons/race-store';

const total = (ms: number[]) => ms.reduce((a, b) => a + b, 0);

/** Rows for a table: the first, powers of two, the last, and every outlier (marked, not hidden). */
function milestones(rows: readonly RaceRow[], outliers: readonly number[] = []): RaceRow[] {
  return rows.filter((r, i) => i === rows.length - 1 || (r.token & (r.token - 1)) === 0 || outliers.includes(r.token));
}

export interface RaceResultsProps {
  race: RaceState;
  backend: BackendState;
}

/** The race's phases, verdict, medians, charts, speedup table and exports. */
export function RaceResults({ race, backend }: RaceResultsProps) {
  // The model raced: austen, or a timing size (its name is what the CSV and the class page show).
  const modelName = race.params?.size ?? 'austen';
  const figures = useRef<HTMLDivElement>(null);
  const backendName = backend.status === 'ready' ? backend.report.name : 'unknown';
  const software = backend.status === 'ready' && Boolean(backend.report.adapter?.software);
  const rows = useMemo(() => (race.runs ? raceRows(race.runs) : []), [race.runs]);
  const summary = useMemo(() => (race.runs ? summarizeRace(race.runs) : null), [race.runs]);

  useEffect(() => {
    const { params, promptLength } = race;
    if (summary && rows.length && params && promptLength !== null)
      setRaceReport({ rows, summary, backend: backendName, software, size: params.size, promptLength, blockSize: params.blockSize });
  }, [rows, summary, backendName, software, race]);

  // Browsers blur performance.now() on pages that are not cross-origin isolated (0.1 ms in Chrome and
  // Firefox); a cached step of half a millisecond then reads as a whole number of ticks. Measured once a
  // race has results (a few milliseconds of spinning), never on the server.
  const tick = useMemo(() => (summary ? clockTickMs(41) : null), [summary]);

  const perStep = summary && summary.repeats > 1 ? `, median of ${summary.repeats} runs` : '';
  const p = race.progress;
  const phaseText = p
    ? p.phase === 'warmup'
      ? `Warm-up (not counted): ${p.step} of ${p.tokens} tokens`
      : `Repeat ${p.repeat}: ${p.phase} generator, ${p.step} of ${p.tokens} tokens`
    : null;

  const png = async (name: string) => {
    const figure = figures.current?.querySelector<HTMLElement>(`[data-chart="${name}"]`);
    if (figure) downloadBlob(await chartPng(figure), `${name}-${backendName}.png`);
  };

  return (
    <div className="race-results" data-race-status={race.status}>
      {software ? (
        <p className="warn-text" data-software-gpu="">
          This browser runs WebGPU on a software GPU: these timings are not representative of a real graphics card.
        </p>
      ) : null}
      {race.status === 'idle' ? <p className="viz-note">Press “Run the race”. A warm-up run comes first and is not counted.</p> : null}
      <p className="phase" aria-live="polite" data-phase={p?.phase ?? race.status}>
        {phaseText ?? (race.status === 'stopped' ? 'Stopped.' : race.status === 'running' ? 'Starting…' : '')}
      </p>
      {race.error ? (
        <p className="error" role="alert">
          {race.error}
        </p>
      ) : null}
      {race.warmup ? (
        <p className="phase" data-warmup="">
          <span className="phase-label">Warm-up</span>
          Not counted: naive {formatMs(total(race.warmup.naive.ms))} ms, cached {formatMs(total(race.warmup.cached.ms))} ms in all. The
          first run on a device compiles its GPU programs; that time is real but says nothing about the cache.
        </p>
      ) : null}
      {summary && race.params ? (
        <>
          <p className="verdict" data-tokens-match={String(summary.tokensMatch)}>
            {summary.tokensMatch
              ? `Both generators chose the same ${summary.tokens} tokens in every run.`
              : `The tokens differ from step ${summary.firstMismatch + 1}: the cached and naive logits ` +
                `disagreed enough to change a choice.`}
          </p>
          <dl
            className="stats"
            data-race-summary=""
            data-backend={backendName}
            data-tokens={summary.tokens}
            data-repeats={summary.repeats}
            data-naive-ttft={summary.naiveTtftMs.toFixed(3)}
            data-cached-ttft={summary.cachedTtftMs.toFixed(3)}
            data-naive-median={summary.naiveMedianMs.toFixed(3)}
            data-cached-median={summary.cachedMedianMs.toFixed(3)}
            data-speedup={summary.medianSpeedup.toFixed(3)}
            data-prompt-length={race.promptLength ?? undefined}
            data-last-naive={rows.at(-1)?.naiveMs.toFixed(3)}
            data-last-cached={rows.at(-1)?.cachedMs.toFixed(3)}
          >
            <div>
              <dt>Time to first token (reads the prompt)</dt>
              <dd data-tile="ttft">
                {formatMs(summary.naiveTtftMs)} naive, {formatMs(summary.cachedTtftMs)} cached ms
              </dd>
            </div>
            <div>
              <dt>Naive, ms per token (median of tokens 2–{summary.tokens})</dt>
              <dd data-tile="naive">{formatMs(summary.naiveMedianMs)} ms</dd>
            </div>
            <div>
              <dt>Cached, ms per token (median of tokens 2–{summary.tokens})</dt>
              <dd data-tile="cached">{formatMs(summary.cachedMedianMs)} ms</dd>
            </div>
            <div>
              <dt>Speedup per token</dt>
              <dd data-tile="speedup">{formatSpeedup(summary.medianSpeedup)}</dd>
            </div>
            <div>
              <dt>All {summary.tokens} tokens</dt>
              <dd data-tile="total">
                {formatMs(summary.naiveTotalMs)} vs {formatMs(summary.cachedTotalMs)} ms
              </dd>
            </div>
          </dl>
          {tick !== null && summary.cachedMedianMs < minSampleMsFor(tick) ? (
            <p className="viz-note" data-clock-tick={tick.toFixed(3)}>
              This browser&apos;s clock ticks every {tick.toFixed(tick < 0.1 ? 3 : 1)} ms, so a cached step of{' '}
              {formatMs(summary.cachedMedianMs)} ms is read to within a tick: the per-token figures are rounded by the clock, the totals
              (many steps added up) much less.
            </p>
          ) : null}
          <div ref={figures}>
            <LineChartCell
              name="race-step-ms"
              caption={
                `Milliseconds per step (forward + readback), ` +
                `${summary.repeats === 1 ? 'one run' : `median of ${summary.repeats} runs`} on ${backendName}. ` +
                `Step 1 is the prompt for both (time to first token).`
              }
              data={rows}
              xKey="token"
              xLabel="Token"
              yLabel="ms per step"
              series={[
                { key: 'naiveMs', label: 'Naive' },
                { key: 'cachedMs', label: 'Cached' },
              ]}
              formatY={formatMs}
              tableRows={milestones(rows, summary.outliers)}
            />
            <LineChartCell
              name="race-cumulative"
              caption="Running total: milliseconds until this many tokens existed."
              data={rows}
              xKey="token"
              xLabel="Tokens generated"
              yLabel="ms so far"
              series={[
                { key: 'naiveTotal', label: 'Naive' },
                { key: 'cachedTotal', label: 'Cached' },
              ]}
              formatY={formatMs}
              tableRows={milestones(rows, summary.outliers)}
            />
          </div>
          <div className="table-scroll" data-speedup-table="" tabIndex={0} role="region" aria-label="Speedup table (scrolls sideways)">
            <table className="data-table">
              <caption>
                Speedup at each length: naive ÷ cached, measured in the same run. Token 1 is the prefill (time to first token); † marks an
                outlier step.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Naive step (ms{perStep})</th>
                  <th scope="col">Cached step (ms{perStep})</th>
                  <th scope="col">Step speedup</th>
                  <th scope="col">Total speedup</th>
                </tr>
              </thead>
              <tbody>
                {milestones(rows, summary.outliers).map((r) => (
                  <tr key={r.token} data-token={r.token} data-outlier={summary.outliers.includes(r.token) ? 'true' : undefined}>
                    <th scope="row">
                      {r.token === 1 ? '1 (prefill)' : r.token}
                      {summary.outliers.includes(r.token) ? ' †' : ''}
                    </th>
                    <td>{formatMs(r.naiveMs)}</td>
                    <td>{formatMs(r.cachedMs)}</td>
                    <td>{formatSpeedup(r.stepSpeedup)}</td>
                    <td>{formatSpeedup(r.totalSpeedup)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-row="per-token">
                  <th scope="row">Per token (median of 2–{summary.tokens})</th>
                  <td>{formatMs(summary.naiveMedianMs)}</td>
                  <td>{formatMs(summary.cachedMedianMs)}</td>
                  <td>{formatSpeedup(summary.medianSpeedup)}</td>
                  <td>{formatSpeedup(summary.totalSpeedup)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
          <div className="chart-actions">
            <button
              type="button"
              className="button"
              onClick={() =>
                downloadBlob(
                  new Blob(
                    [raceCsv(race.runs!, { backend: backendName, model: modelName, prompt: race.params!.prompt, seed: race.params!.seed })],
                    {
                      type: 'text/csv',
                    },
                  ),
                  `race-${backendName}-${summary.tokens}.csv`,
                )
              }
            >
              Download CSV
            </button>
            <button type="button" className="button" onClick={() => void png('race-step-ms')}>
              Per-step chart as PNG
            </button>
            <button type="button" className="button" onClick={() => void png('race-cumulative')}>
              Running-total chart as PNG
            </button>
          </div>
          <ShareResult
            backend={backend}
            result={{
              kind: 'race',
              model: modelName,
              tokens: summary.tokens,
              repeats: summary.repeats,
              naiveMedianMs: summary.naiveMedianMs,
              cachedMedianMs: summary.cachedMedianMs,
              tokensMatch: summary.tokensMatch,
            }}
          />
        </>
      ) : null}
    </div>
  );
}
