'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { GPT, Tokenizer } from '@/lib/gpt';
import type { PrefixComparison } from '@/lib/lessons/prefix';
import type { Server, ServerView } from '@/lib/lessons/serving-sim';
import { nextTask } from '@/lib/lessons/yield';

export interface UseServer {
  view: ServerView | null;
  busy: boolean;
  message: string | null;
  /** Admit sessions one after another; stops at the first that does not fit and says so. */
  start(sessions: readonly { prompt: string | readonly number[]; tokens: number }[], usePrefix: boolean): Promise<void>;
  /** Start sessions until the pool refuses one; returns how many were admitted. */
  fill(prompt: string | readonly number[], tokens: number, usePrefix: boolean): Promise<void>;
  /** One decode step for every running session. */
  step(): Promise<void>;
  /** Read `text` as the shared prefix (null: drop it). */
  setPrefix(text: string | null): Promise<void>;
  reset(): void;
}

/** The in-page server (lib/lessons/serving-sim) behind plain snapshots; it and its tensors are freed on reset and unmount. */
export function useServer(model: GPT | null, tokenizer: Tokenizer | null, numBlocks: number): UseServer {
  const server = useRef<Server | null>(null);
  const lock = useRef(false);
  const [view, setView] = useState<ServerView | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const reset = useCallback(() => {
    server.current?.dispose();
    server.current = null;
    setView(null);
    setMessage(null);
  }, []);
  useEffect(() => reset, [model, numBlocks, reset]);

  const get = useCallback(async () => {
    if (!model || !tokenizer) throw new Error('The model is not loaded yet.');
    if (!server.current) {
      const { Server } = await import('@/lib/lessons/serving-sim');
      server.current = new Server(model, tokenizer, numBlocks);
    }
    return server.current;
  }, [model, tokenizer, numBlocks]);

  const guarded = useCallback(async (work: (s: Server) => Promise<string | null>) => {
    if (lock.current) return;
    lock.current = true;
    setBusy(true);
    try {
      const s = await get();
      const note = await work(s);
      setMessage(note);
      if (server.current === s) setView(s.snapshot());
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
      if (server.current) setView(server.current.snapshot());
    } finally {
      lock.current = false;
      setBusy(false);
    }
  }, [get]);

  const admitAll = async (s: Server, list: readonly { prompt: string | readonly number[]; tokens: number }[], usePrefix: boolean) => {
    let n = 0;
    for (const x of list) {
      try {
        await s.admit(x.prompt, x.tokens, usePrefix);
      } catch (err) {
        if ((err as { name?: string }).name !== 'OutOfBlocksError') throw err;
        return { n, full: true };
      }
      n += 1;
      setView(s.snapshot());
      await nextTask();
    }
    return { n, full: false };
  };

  return {
    view,
    busy,
    message,
    start: (list, usePrefix) =>
      guarded(async (s) => {
        const r = await admitAll(s, list, usePrefix);
        return r.full ? `The pool is full: ${r.n} of ${list.length} sessions started; the rest would not fit. Decode until some finish.` : null;
      }),
    fill: (prompt, tokens, usePrefix) =>
      guarded(async (s) => {
        const r = await admitAll(s, Array.from({ length: 1000 }, () => ({ prompt, tokens })), usePrefix);
        return `Started ${r.n} session${r.n === 1 ? '' : 's'} before the pool refused the next one.`;
      }),
    step: () =>
      guarded(async (s) => {
        if (s.running === 0) return 'No session is running: start one.';
        const advanced = await s.step(nextTask);
        return advanced === 0 ? 'Every running session needs a new block and none is free: they wait (a real server would pause one and give its blocks to the others).' : null;
      }),
    setPrefix: (text) =>
      guarded(async (s) => {
        if (text === null) s.clearPrefix();
        else await s.setPrefix(text);
        return null;
      }),
    reset,
  };
}

export interface UsePrefixComparison {
  result: PrefixComparison | null;
  running: boolean;
  error: string | null;
  run(system: string, asks: readonly string[], tokens: number): void;
  reset(): void;
}

/** Runs lib/lessons/prefix's comparePrefixSharing once per click. */
export function usePrefixComparison(model: GPT | null, tokenizer: Tokenizer | null): UsePrefixComparison {
  const [result, setResult] = useState<PrefixComparison | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const run = useCallback(
    (system: string, asks: readonly string[], tokens: number) => {
      if (!model || !tokenizer || running) return;
      setRunning(true);
      setError(null);
      void import('@/lib/lessons/prefix')
        .then((p) => p.comparePrefixSharing(model, tokenizer, system, asks, tokens, { between: nextTask }))
        .then(
          (r) => live.current && setResult(r),
          (err: unknown) => live.current && setError(err instanceof Error ? err.message : String(err)),
        )
        .finally(() => live.current && setRunning(false));
    },
    [model, tokenizer, running],
  );
  return { result, running, error, run, reset: () => setResult(null) };
}
