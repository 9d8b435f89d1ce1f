'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChunkedComparison, PrefillTiming } from '@/lib/lessons/measure';
import { sweepLengths } from '@/lib/lessons/prefill';
import { getClient, type ModelClient, type ModelHandle } from '@/lib/worker/client';

/** Cached decode steps timed after each prefill. */
export const DECODE_STEPS = 8;

export interface PrefillState {
  /** stopped: the sweep was stopped; what it had measured stays. */
  status: 'idle' | 'running' | 'ready' | 'stopped' | 'error';
  /** What is being measured right now, in words. */
  activity: string | null;
  single: PrefillTiming | null;
  sweep: PrefillTiming[];
  chunked: ChunkedComparison | null;
  error: string | null;
}

const IDLE: PrefillState = { status: 'idle', activity: null, single: null, sweep: [], chunked: null, error: null };

/**
 * Prefill measurements for a view, run on the model thread (lib/lessons/measure does the timing).
 * Every length is measured twice and the first (warm-up: shader compilation for that shape) is thrown
 * away. One measurement at a time; `stop` ends a sweep (or a measurement) before its next step.
 * `model` is useModel's handle (before the model worker it took the `GPT` and the tokenizer; the model
 * thread now cuts the prompts itself).
 */
export function usePrefill(model: ModelHandle | null) {
  const [state, setState] = useState<PrefillState>(IDLE);
  const abort = useRef<AbortController | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      abort.current?.abort();
    };
  }, []);

  const run = useCallback(
    async (activity: string, job: (client: ModelClient, key: string, signal: AbortSignal) => Promise<Partial<PrefillState>>) => {
      if (!model || abort.current) return;
      const controller = new AbortController();
      abort.current = controller;
      setState((s) => ({ ...s, status: 'running', activity, error: null }));
      try {
        const patch = await job(getClient(), model.key, controller.signal);
        if (alive.current) setState((s) => ({ ...s, ...patch, status: 'ready', activity: null }));
      } catch (err) {
        const stopped = (err as { name?: string }).name === 'AbortedError' || controller.signal.aborted;
        const message =
          `The measurement failed: ${err instanceof Error ? err.message : String(err)}. Reload the page ` + `or try another backend.`;
        if (alive.current)
          setState((s) => ({ ...s, status: stopped ? 'stopped' : 'error', activity: null, error: stopped ? null : message }));
      } finally {
        if (abort.current === controller) abort.current = null;
      }
    },
    [model],
  );

  const measure = useCallback(
    (length: number) =>
      run(`Measuring a prompt of ${length} tokens…`, async (client, key, signal) => {
        const args = { model: key, length, decodeSteps: DECODE_STEPS };
        await client.call('prefill', args, { signal }); // warm-up, discarded
        return { single: await client.call('prefill', args, { signal }) };
      }),
    [run],
  );

  const sweep = useCallback(
    () =>
      run('Sweeping prompt lengths…', async (client, key, signal) => {
        const out: PrefillTiming[] = [];
        if (alive.current) setState((s) => ({ ...s, sweep: [] }));
        for (const length of sweepLengths(model?.config.blockSize ?? 0, DECODE_STEPS, Infinity)) {
          if (signal.aborted) throw Object.assign(new Error('Stopped.'), { name: 'AbortedError' });
          if (alive.current) setState((s) => ({ ...s, activity: `Sweeping: prompt of ${length} tokens…` }));
          const args = { model: key, length, decodeSteps: DECODE_STEPS };
          await client.call('prefill', args, { signal });
          out.push(await client.call('prefill', args, { signal }));
          if (alive.current) setState((s) => ({ ...s, sweep: [...out] }));
        }
        return { sweep: out };
      }),
    [run, model],
  );

  const compareChunks = useCallback(
    (length: number, chunk: number) =>
      run(`Prefilling ${length} tokens in one pass and in chunks of ${chunk}…`, async (client, key, signal) => {
        const args = { model: key, length, chunk };
        await client.call('chunked', args, { signal }); // warm-up, discarded
        return { chunked: await client.call('chunked', args, { signal }) };
      }),
    [run],
  );

  const stop = useCallback(() => abort.current?.abort(), []);

  return { state, measure, sweep, compareChunks, stop };
}
