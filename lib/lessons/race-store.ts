/**
 * The learner's latest race result, shared between the race cell (which writes it) and the lesson
 * text that reads it back to them. Plain values only; no React, no tfjs.
 */
import type { RaceRow, RaceSummary } from './race';

export interface RaceReport {
  rows: RaceRow[];
  summary: RaceSummary;
  backend: string;
  /** True on a software GPU (SwiftShader): timings not representative. */
  software: boolean;
}

let report: RaceReport | null = null;
const listeners = new Set<() => void>();

export const getRaceReport = (): RaceReport | null => report;

export function setRaceReport(next: RaceReport | null): void {
  report = next;
  for (const l of listeners) l();
}

export function subscribeRaceReport(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
