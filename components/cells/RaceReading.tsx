'use client';

import { useSyncExternalStore } from 'react';
import { interpretRace } from '@/lib/lessons/race';
import { getRaceReport, subscribeRaceReport } from '@/lib/lessons/race-store';

/** Lesson text that reads the learner's own race back to them, sentence by sentence from their numbers. */
export function RaceReading() {
  const report = useSyncExternalStore(subscribeRaceReport, getRaceReport, () => null);
  if (!report) {
    return (
      <p className="reading" data-race-reading="waiting">
        <em>Run the race above and this paragraph will read your own numbers back to you.</em>
      </p>
    );
  }
  return (
    <div className="reading" data-race-reading="ready" aria-live="polite">
      {interpretRace(report.rows, report.summary, report.backend).map((s) => (
        <p key={s}>{s}</p>
      ))}
      {report.software ? (
        <p className="warn-text">
          You ran on a software GPU (SwiftShader): every operation is emulated on the CPU, so these numbers describe the emulator more than
          the cache. Try <code>?backend=wasm</code> for a fairer CPU measurement.
        </p>
      ) : null}
    </div>
  );
}
