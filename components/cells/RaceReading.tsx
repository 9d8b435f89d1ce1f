'use client';

import { useSyncExternalStore } from 'react';
import { interpretRace, outlierTokens } from '@/lib/lessons/race';
import { crossover, describeCrossover, raceStepModel } from '@/lib/lessons/crossover';
import { getRaceReports, subscribeRaceReport, type RaceReport } from '@/lib/lessons/race-store';
import { MODEL_SIZES, SIZE_PRESETS } from '@/lib/lessons/sizes';

const NO_REPORTS = { latest: null, bySize: {} };

/** Both generators' lines fitted from one race's decode steps (its outlier steps left out). */
const fitOf = (r: RaceReport) => raceStepModel(r.rows, r.promptLength, outlierTokens(r.rows));

/** Where the naive step's arithmetic outweighs its fixed cost, read from one race's own rows. */
function crossoverSentence(r: RaceReport): string | null {
  const fit = fitOf(r);
  return fit ? describeCrossover(crossover(fit), r.blockSize, SIZE_PRESETS[r.size].short) : null;
}

/** Lesson text that reads the learner's own race back to them, sentence by sentence from their numbers. */
export function RaceReading() {
  const { latest, bySize } = useSyncExternalStore(subscribeRaceReport, getRaceReports, () => NO_REPORTS);
  if (!latest) {
    return (
      <p className="reading" data-race-reading="waiting">
        <em>Run the race above and this paragraph will read your own numbers back to you.</em>
      </p>
    );
  }
  const sizes = MODEL_SIZES.filter((s) => bySize[s]);
  const fit = fitOf(latest);
  return (
    <div className="reading" data-race-reading="ready" aria-live="polite">
      {interpretRace(latest.rows, latest.summary, latest.backend, fit && { fit, promptLength: latest.promptLength }).map((s) => (
        <p key={s}>{s}</p>
      ))}
      {sizes.map((s) => {
        const sentence = crossoverSentence(bySize[s]!);
        return sentence ? (
          <p key={s} data-crossover={s}>
            {sentence}
          </p>
        ) : null;
      })}
      {sizes.length === 1 ? (
        <p className="viz-note">Race a larger model size too: each size you race adds its own sentence here, from its own steps.</p>
      ) : null}
      {latest.software ? (
        <p className="warn-text">
          You ran on a software GPU (SwiftShader): every operation is emulated on the CPU, so these numbers describe the emulator more than
          the cache. Try <code>?backend=wasm</code> for a fairer CPU measurement.
        </p>
      ) : null}
    </div>
  );
}
