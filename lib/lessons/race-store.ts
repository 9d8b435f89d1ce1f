/**
 * The learner's race results, shared between the race cell (which writes them) and the lesson text
 * that reads them back: the latest race, and the latest at each model size (the crossover sentence is
 * one per size raced). Plain values only; no React, no tfjs.
 */
import { createStore } from '../store';
import type { RaceRow, RaceSummary } from './race';
import type { ModelSize } from './sizes';

export interface RaceReport {
  rows: RaceRow[];
  summary: RaceSummary;
  backend: string;
  /** True on a software GPU (SwiftShader): timings not representative. */
  software: boolean;
  size: ModelSize;
  /** The prompt's length in tokens: token n's steps read promptLength + n − 1 positions. */
  promptLength: number;
  /** The model's context. */
  blockSize: number;
}

export interface RaceReports {
  latest: RaceReport | null;
  bySize: Partial<Record<ModelSize, RaceReport>>;
}

const EMPTY: RaceReports = { latest: null, bySize: {} };
const store = createStore<RaceReports>(EMPTY);

export const getRaceReports = (): RaceReports => store.get();
export const getRaceReport = (): RaceReport | null => store.get().latest;
/** Records a race as the latest and as its size's; null forgets them all. */
export function setRaceReport(next: RaceReport | null): void {
  store.set(next ? { latest: next, bySize: { ...store.get().bySize, [next.size]: next } } : EMPTY);
}
export const subscribeRaceReport = (listener: () => void): (() => void) => store.subscribe(listener);
