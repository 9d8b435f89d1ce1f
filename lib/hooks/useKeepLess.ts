'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GPT, Tokenizer } from '@/lib/gpt';
import type { CachePolicy } from '@/lib/gpt/kvcache-policy';
import type { PolicyStep, SinkShare, SweepInput, SweepPoint } from '@/lib/lessons/keep-less';
import { nextTask } from '@/lib/lessons/yield';

export interface PolicySteps {
  promptIds: number[];
  steps: PolicyStep[];
  busy: boolean;
  playing: boolean;
  done: boolean;
  error: string | null;
  step(): Promise<void>;
  togglePlay(): void;
  reset(): void;
}

/**
 * Steps the model through `policy` (null: the full cache), one plain record per step. The generator
 * (and its cache) is closed on reset, on unmount and whenever the model, prompt or policy changes.
 */
export function usePolicySteps(model: GPT | null, tokenizer: Tokenizer | null, prompt: string, policy: CachePolicy | null, maxNew: number): PolicySteps {
  const [steps, setSteps] = useState<PolicyStep[]>([]);
  const [busy, setBusy] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const gen = useRef<AsyncGenerator<PolicyStep> | null>(null);
  const running = useRef(false);
  const key = JSON.stringify([prompt, policy, maxNew]);
  const blockSize = model?.config.blockSize ?? 256;
  const promptIds = useMemo(() => (tokenizer ? tokenizer.encode(prompt).slice(-blockSize) : []), [tokenizer, prompt, blockSize]);
  const done = steps.length > 0 && steps[steps.length - 1].stopReason !== undefined;

  const close = useCallback(() => {
    const g = gen.current;
    gen.current = null;
    void g?.return(undefined);
  }, []);
  const reset = useCallback(() => {
    close();
    setSteps([]);
    setPlaying(false);
    setError(null);
  }, [close]);
  useEffect(() => reset, [model, key, reset]);

  const step = useCallback(async () => {
    if (!model || !tokenizer || running.current || done) return;
    running.current = true;
    setBusy(true);
    try {
      if (promptIds.length === 0) throw new Error('The prompt is empty: type some text for the model to continue.');
      if (!gen.current) {
        const { stepWithPolicy } = await import('@/lib/lessons/keep-less');
        gen.current = stepWithPolicy(model, tokenizer, promptIds, policy, maxNew);
      }
      const r = await gen.current.next();
      if (!r.done) setSteps((s) => [...s, r.value]);
      if (r.done || r.value.stopReason) setPlaying(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setPlaying(false);
      close();
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, [model, tokenizer, promptIds, policy, maxNew, done, close]);

  useEffect(() => {
    if (!playing || busy) return;
    const t = setTimeout(() => void step(), 60);
    return () => clearTimeout(t);
  }, [playing, busy, step, steps.length]);

  return { promptIds, steps, busy, playing, done, error, step, togglePlay: () => setPlaying((p) => !p), reset };
}

export interface BudgetSweep {
  status: 'idle' | 'running' | 'done' | 'error';
  points: SweepPoint[];
  sinks: SinkShare[] | null;
  done: number;
  total: number;
  error: string | null;
  run(text: string, input: SweepInput): void;
  cancel(): void;
  reset(): void;
}

/** Runs lib/lessons/keep-less's budgetSweep with progress, cancel and a turn for the page after every step. */
export function useBudgetSweep(model: GPT | null, tokenizer: Tokenizer | null): BudgetSweep {
  const [state, setState] = useState<Omit<BudgetSweep, 'run' | 'cancel' | 'reset'>>({ status: 'idle', points: [], sinks: null, done: 0, total: 0, error: null });
  const abort = useRef<AbortController | null>(null);
  const cancel = useCallback(() => abort.current?.abort(), []);
  const reset = useCallback(() => {
    abort.current?.abort();
    setState({ status: 'idle', points: [], sinks: null, done: 0, total: 0, error: null });
  }, []);
  useEffect(() => () => abort.current?.abort(), [model]);

  const run = useCallback(
    (text: string, input: SweepInput) => {
      if (!model || !tokenizer) return;
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      void (async () => {
        const kl = await import('@/lib/lessons/keep-less');
        const { traceForward } = await import('@/lib/gpt');
        const total = kl.sweepSteps(input);
        let done = 0;
        let lastPaint = 0;
        setState({ status: 'running', points: [], sinks: null, done: 0, total, error: null });
        try {
          const ids = tokenizer.encode(text).slice(0, Math.min(input.tokens, model.config.blockSize));
          const trace = await traceForward(model, ids);
          const sinks = kl.sinkShares(trace.map((l) => l.weights), Math.min(32, ids.length - 1));
          setState((s) => ({ ...s, sinks }));
          await kl.budgetSweep(model, tokenizer, text, input, {
            signal: ac.signal,
            between: nextTask,
            onStep: () => {
              done += 1;
              const now = performance.now();
              if (now - lastPaint > 100 || done === total) {
                lastPaint = now;
                setState((s) => ({ ...s, done }));
              }
            },
            onPoint: (p) => setState((s) => ({ ...s, points: [...s.points, p] })),
          });
          if (!ac.signal.aborted) setState((s) => ({ ...s, status: 'done', done: total }));
        } catch (err) {
          const aborted = (err as { name?: string }).name === 'AbortedError';
          setState((s) => ({ ...s, status: aborted ? 'idle' : 'error', error: aborted ? 'Cancelled: the points measured so far stay on the chart.' : err instanceof Error ? err.message : String(err) }));
        }
      })();
    },
    [model, tokenizer],
  );
  return { ...state, run, cancel, reset };
}
