// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { RaceResults } from '@/components/cells/RaceResults';
import { RaceReading } from '@/components/cells/RaceReading';
import type { RaceRuns } from '@/lib/lessons/race';
import { formatMs, formatSpeedup, summarizeRace } from '@/lib/lessons/race';
import { setRaceReport } from '@/lib/lessons/race-store';
import type { RaceState } from '@/lib/hooks/useRace';
import type { BackendState } from '@/lib/backend/store';

afterEach(() => {
  cleanup();
  setRaceReport(null);
});

// recharts measures its container; jsdom has no layout, so give it a ResizeObserver that never fires.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

/** A race shaped like the issue's: a slow prefill step, a growing naive step, one spike at token 6. */
function runs(): RaceRuns {
  const naive = Array.from({ length: 32 }, (_, i) => (i === 0 ? 30 : 10 + i * 0.5));
  const cached = Array.from({ length: 32 }, (_, i) => (i === 0 ? 28 : i === 5 ? 22.4 : 4 + (i % 3) * 0.1));
  const ids = Array.from({ length: 32 }, (_, i) => i);
  return {
    naive: [
      { ms: naive, ids },
      { ms: naive.map((x) => x * 1.1), ids },
    ],
    cached: [
      { ms: cached, ids },
      { ms: cached, ids },
    ],
  };
}

const BACKEND: BackendState = { status: 'ready', report: { name: 'wasm', requested: null, adapter: null, skipped: [] } };

describe('the race tells one truth: tile, reading paragraph and table read the same record', () => {
  it('shows the same TTFT, ms per token and speedup in the tile, the paragraph and the table footer', () => {
    const r = runs();
    const race: RaceState = {
      status: 'done',
      progress: null,
      warmup: null,
      runs: r,
      params: { prompt: 'It is a truth', tokens: 32, repeats: 2, seed: 1, size: 'austen', blockSize: 256 },
      modelKey: 'austen',
      promptLength: 4,
      error: null,
    };
    const { container } = render(
      <>
        <RaceResults race={race} backend={BACKEND} />
        <RaceReading />
      </>,
    );
    const s = summarizeRace(r);
    const cached = formatMs(s.cachedMedianMs);
    const naive = formatMs(s.naiveMedianMs);
    const ratio = formatSpeedup(s.medianSpeedup);
    const text = (sel: string) => container.querySelector(sel)?.textContent ?? '';

    // The tile.
    expect(text('[data-tile="cached"]')).toBe(`${cached} ms`);
    expect(text('[data-tile="naive"]')).toBe(`${naive} ms`);
    expect(text('[data-tile="speedup"]')).toBe(ratio);
    expect(text('[data-tile="ttft"]')).toContain(`${formatMs(s.naiveTtftMs)} naive, ${formatMs(s.cachedTtftMs)} cached`);
    // The reading paragraph.
    const reading = text('[data-race-reading="ready"]');
    expect(reading).toContain(`a median ${cached} ms per token and a naive step ${naive} ms`);
    expect(reading).toContain(`${ratio} faster`);
    expect(reading).toContain(`took ${formatMs(s.naiveTtftMs)} ms naive and ${formatMs(s.cachedTtftMs)} ms cached`);
    // The table: its footer is the same record; token 1 is labelled as the prefill (TTFT).
    const foot = [...container.querySelectorAll('[data-row="per-token"] td')].map((td) => td.textContent);
    expect(foot.slice(0, 3)).toEqual([naive, cached, ratio]); // columns: naive, cached, speedup
    const first = [...container.querySelectorAll('[data-speedup-table] tbody tr[data-token="1"] td')].map((td) => td.textContent);
    expect(first.slice(0, 2)).toEqual([formatMs(s.naiveTtftMs), formatMs(s.cachedTtftMs)]);
    expect(text('[data-speedup-table] tbody tr[data-token="1"] th')).toContain('prefill');
    // The per-step header says it is a median over repeats.
    expect(text('[data-speedup-table] thead')).toContain('median of 2 runs');
    // The spike at token 6 is marked as an outlier in the table and named in the paragraph, not hidden.
    expect(s.outliers).toEqual([6]);
    expect(container.querySelector('[data-speedup-table] tr[data-token="6"]')?.getAttribute('data-outlier')).toBe('true');
    expect(reading).toMatch(/token 6\) took more than 1\.5×/);
    // The crossover, fitted from the decode steps (spike left out): naive = 1.05·(10 + 0.5·(P − 4)) = 8.4 + 0.525·P.
    const line = text('[data-crossover="austen"]');
    expect(line).toContain('a naive step costs about 8.4 ms fixed plus 525.0 µs per position');
    expect(line).toContain('from about position 16');
    // …and the growth sentence reads the same line: 8.4 + 0.525·5 = 11.0 ms at token 2, 8.4 + 0.525·35 = 26.8 ms at token 32.
    expect(reading).toContain(
      'The naive step grew from 11.0 ms at token 2 to 26.8 ms at token 32 (a line fitted through every decode step)',
    );
  });
});
