'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Tokenizer } from '@/lib/gpt';
import type { CachePolicy } from '@/lib/gpt/kvcache-policy';
import type { PolicyStep, SinkShare, SweepInput, SweepPoint } from '@/lib/lessons/keep-less';
import { getClient, type ModelHandle } from '@/lib/worker/client';

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
 * Steps the model through `policy` (null: the full cache), one plain record per step, on the model
 * thread. The generator (and its cache) is closed on reset, on unmount and whenever the model, prompt
 * or policy changes.
 */
export function usePolicySteps(
  model: ModelHandle | null,
  tokenizer: Tokenizer | null,
  prompt: string,
  policy: CachePolicy | null,
  maxNew: number,
): PolicySteps {
  const [steps, setSteps] = useState<PolicyStep[]>([]);
  const [busy, setBusy] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const gen = useRef<Promise<{ gen: number }> | null>(null);
  const running = useRef(false);
  const key = JSON.stringify([prompt, policy, maxNew]);
  const blockSize = model?.config.blockSize ?? 256;
  const promptIds = useMemo(() => (tokenizer ? tokenizer.encode(prompt).slice(-blockSize) : []), [tokenizer, prompt, blockSize]);
  const done = steps.length > 0 && steps[steps.length - 1].stopReason !== undefined;

  const close = useCallback(() => {
    const g = gen.current;
    gen.current = null;
    void g?.then((x) => getClient().call('policyReturn', x)).catch(() => undefined);
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
      gen.current ??= getClient().call('policyStart', { model: model.key, ids: promptIds, policy, maxNew });
      const mine = gen.current;
      const next = await getClient().call('policyNext', await mine);
      if (gen.current !== mine) return; // reset while this step ran: its record belongs to nothing on screen
      if (next) setSteps((s) => [...s, next]);
      if (!next || next.stopReason) setPlaying(false);
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

/** Runs lib/lessons/keep-less's budgetSweep on the model thread, with progress and cancel (within one step). */
export function useBudgetSweep(model: ModelHandle | null): BudgetSweep {
  const [state, setState] = useState<Omit<BudgetSweep, 'run' | 'cancel' | 'reset'>>({
    status: 'idle',
    points: [],
    sinks: null,
    done: 0,
    total: 0,
    error: null,
  });
  const abort = useRef<AbortController | null>(null);
  const cancel = useCallback(() => abort.current?.abort(), []);
  const reset = useCallback(() => {
    abort.current?.abort();
    setState({ status: 'idle', points: [], sinks: null, done: 0, total: 0, error: null });
  }, []);
  useEffect(() => () => abort.current?.abort(), [model]);

  const run = useCallback(
    (text: string, input: SweepInput) => {
      if (!model) return;
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      void (async () => {
        const { sweepSteps } = await import('@/lib/lessons/policies');
        const total = sweepSteps(input);
        setState({ status: 'running', points: [], sinks: null, done: 0, total, error: null });
        try {
          await getClient().call(
            'budgetSweep',
            { model: model.key, text, input },
            {
              signal: ac.signal,
              onProgress: (value) => {
                if (ac.signal.aborted) return;
                const p = value as { sinks?: SinkShare[]; done?: number; point?: SweepPoint };
                if (p.sinks) setState((s) => ({ ...s, sinks: p.sinks! }));
                if (p.done !== undefined) setState((s) => ({ ...s, done: p.done! }));
                if (p.point) setState((s) => ({ ...s, points: [...s.points, p.point!] }));
              },
            },
          );
          if (!ac.signal.aborted) setState((s) => ({ ...s, status: 'done', done: total }));
        } catch (err) {
          const aborted = (err as { name?: string }).name === 'AbortedError';
          setState((s) => ({
            ...s,
            status: aborted ? 'idle' : 'error',
            error: aborted ? 'Cancelled: the points measured so far stay on the chart.' : err instanceof Error ? err.message : String(err),
          }));
        }
      })();
    },
    [model],
  );
  return { ...state, run, cancel, reset };
}
