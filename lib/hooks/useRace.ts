'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Tokenizer } from '@/lib/gpt';
import { getClient, type ModelHandle } from '@/lib/worker/client';
import type { RaceProgress } from '@/lib/lessons/measure';
import type { RaceRun, RaceRuns } from '@/lib/lessons/race';
import type { ModelSize } from '@/lib/lessons/sizes';

export interface RaceParams {
  prompt: string;
  tokens: number;
  repeats: number;
  seed: number;
  /** The model size raced and its context, for the lesson's reading (the model itself is the hook's). */
  size: ModelSize;
  blockSize: number;
}

export interface RaceState {
  status: 'idle' | 'running' | 'done' | 'stopped' | 'error';
  progress: RaceProgress | null;
  /** The warm-up's timings: shown as their own phase, never part of the results. */
  warmup: { naive: RaceRun; cached: RaceRun } | null;
  runs: RaceRuns | null;
  /** The parameters of the last started race. */
  params: RaceParams | null;
  /** The model it ran on (its key on the model thread): another model's race is not shown. */
  modelKey: string | null;
  /** The prompt's length in tokens: token n's naive step reads promptLength + n − 1 positions. */
  promptLength: number | null;
  error: string | null;
}

const IDLE: RaceState = {
  status: 'idle',
  progress: null,
  warmup: null,
  runs: null,
  params: null,
  modelKey: null,
  promptLength: null,
  error: null,
};

/**
 * Runs the race (lib/lessons/measure's runRace) on the model thread for a view: plain progress and
 * plain milliseconds out. `start` ignores calls while a race runs; `stop` ends it before its next step
 * (the model thread yields between steps to read the abort). `model` is useModel's handle.
 */
export function useRace(model: ModelHandle | null, tokenizer: Tokenizer | null) {
  const [state, setState] = useState<RaceState>(IDLE);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  const start = useCallback(
    (params: RaceParams) => {
      if (!model || !tokenizer || abort.current) return;
      const ids = tokenizer.encode(params.prompt);
      if (ids.length === 0) {
        setState({ ...IDLE, status: 'error', error: 'The prompt is empty: type a few words for both generators to continue.' });
        return;
      }
      const controller = new AbortController();
      abort.current = controller;
      setState({ ...IDLE, status: 'running', params, modelKey: model.key, promptLength: ids.length });
      let last = 0;
      const { tokens, repeats, seed } = params;
      getClient()
        .call(
          'race',
          { model: model.key, ids, tokens, repeats, seed, warmup: true },
          {
            signal: controller.signal,
            onProgress: (value) => {
              const progress = value as RaceProgress;
              // A re-render per step is cheap, but not at 60 per second on a fast GPU.
              const now = performance.now();
              if (now - last < 80 && progress.step !== progress.tokens) return;
              last = now;
              setState((s) => ({ ...s, progress }));
            },
          },
        )
        .then(
          (result) => setState((s) => ({ ...s, status: 'done', runs: result.runs, warmup: result.warmup, progress: null })),
          (err: unknown) => {
            const stopped = (err as { name?: string }).name === 'AbortedError';
            setState((s) => ({
              ...s,
              status: stopped ? 'stopped' : 'error',
              error: stopped
                ? null
                : `The race failed: ${err instanceof Error ? err.message : String(err)}. Reload the page or try another backend.`,
            }));
          },
        )
        .finally(() => {
          if (abort.current === controller) abort.current = null;
        });
    },
    [model, tokenizer],
  );

  const stop = useCallback(() => abort.current?.abort(), []);
  // Switching to another model (a size) leaves the last race behind: the view starts idle.
  const shown = state.modelKey === null || state.modelKey === model?.key || state.status === 'running' ? state : IDLE;
  return { state: shown, start, stop };
}
