/**
 * The learner's latest race result, shared between the race cell (which writes it) and the lesson
 * text that reads it back to them. Plain values only; no React, no tfjs.
 */
import { createStore } from '../store';
import type { RaceRow, RaceSummary } from './race';

export interface RaceReport {
  rows: RaceRow[];
  summary: RaceSummary;
  backend: string;
  /** True on a software GPU (SwiftShader): timings not representative. */
  software: boolean;
}

const store = createStore<RaceReport | null>(null);

export const getRaceReport = (): RaceReport | null => store.get();
export const setRaceReport = (next: RaceReport | null): void => store.set(next);
export const subscribeRaceReport = (listener: () => void): (() => void) => store.subscribe(listener);
