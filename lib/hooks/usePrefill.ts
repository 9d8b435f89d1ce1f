'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { GPT, Tokenizer } from '@/lib/gpt';
import type { ChunkedComparison, PrefillTiming } from '@/lib/lessons/measure';

/** Cached decode steps timed after each prefill. */
export const DECODE_STEPS = 8;

export interface PrefillState {
  status: 'idle' | 'running' | 'ready' | 'error';
  /** What is being measured right now, in words. */
  activity: string | null;
  single: PrefillTiming | null;
  sweep: PrefillTiming[];
  chunked: ChunkedComparison | null;
  error: string | null;
}

const IDLE: PrefillState = { status: 'idle', activity: null, single: null, sweep: [], chunked: null, error: null };

/**
 * Prefill measurements for a view (lib/measure does the timing). Every length is measured twice and
 * the first (warm-up: shader compilation for that shape) is thrown away. One measurement at a time.
 */
export function usePrefill(model: GPT | null, tokenizer: Tokenizer | null) {
  const [state, setState] = useState<PrefillState>(IDLE);
  const busy = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const run = useCallback(
    async (activity: string, job: (m: typeof import('@/lib/lessons/measure'), model: GPT, tokenizer: Tokenizer) => Promise<Partial<PrefillState>>) => {
      if (!model || !tokenizer || busy.current) return;
      busy.current = true;
      setState((s) => ({ ...s, status: 'running', activity, error: null }));
      try {
        const m = await import('@/lib/lessons/measure');
        const patch = await job(m, model, tokenizer);
        if (alive.current) setState((s) => ({ ...s, ...patch, status: 'ready', activity: null }));
      } catch (err) {
        const message = `The measurement failed: ${err instanceof Error ? err.message : String(err)}. Reload the page or try another backend.`;
        if (alive.current) setState((s) => ({ ...s, status: 'error', activity: null, error: message }));
      } finally {
        busy.current = false;
      }
    },
    [model, tokenizer],
  );

  const measure = useCallback(
    (length: number) =>
      run(`Measuring a prompt of ${length} tokens…`, async (m, gpt, tok) => {
        const ids = m.promptOfLength(tok, length);
        await m.measurePrefill(gpt, ids, DECODE_STEPS); // warm-up, discarded
        return { single: await m.measurePrefill(gpt, ids, DECODE_STEPS) };
      }),
    [run],
  );

  const sweep = useCallback(
    () =>
      run('Sweeping prompt lengths…', async (m, gpt, tok) => {
        const out: PrefillTiming[] = [];
        for (const length of m.sweepLengths(gpt.config.blockSize, DECODE_STEPS, Infinity)) {
          if (alive.current) setState((s) => ({ ...s, activity: `Sweeping: prompt of ${length} tokens…` }));
          const ids = m.promptOfLength(tok, length);
          await m.measurePrefill(gpt, ids, DECODE_STEPS);
          out.push(await m.measurePrefill(gpt, ids, DECODE_STEPS));
          if (alive.current) setState((s) => ({ ...s, sweep: [...out] }));
        }
        return { sweep: out };
      }),
    [run],
  );

  const compareChunks = useCallback(
    (length: number, chunk: number) =>
      run(`Prefilling ${length} tokens in one pass and in chunks of ${chunk}…`, async (m, gpt, tok) => {
        const ids = m.promptOfLength(tok, length);
        await m.compareChunkedPrefill(gpt, ids, chunk); // warm-up, discarded
        return { chunked: await m.compareChunkedPrefill(gpt, ids, chunk) };
      }),
    [run],
  );

  return { state, measure, sweep, compareChunks };
}
