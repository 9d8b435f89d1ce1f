'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { PrefixComparison } from '@/lib/lessons/prefix';
import type { ServerView } from '@/lib/lessons/serving-sim';
import { getClient, type ModelHandle } from '@/lib/worker/client';

export interface UseServer {
  view: ServerView | null;
  busy: boolean;
  message: string | null;
  /** Admit sessions one after another; stops at the first that does not fit and says so. */
  start(sessions: readonly { prompt: string | readonly number[]; tokens: number }[], usePrefix: boolean): Promise<void>;
  /** Start sessions until the pool refuses one; says how many were admitted. */
  fill(prompt: string | readonly number[], tokens: number, usePrefix: boolean): Promise<void>;
  /** One decode step for every running session. */
  step(): Promise<void>;
  /** Read `text` as the shared prefix (null: drop it). */
  setPrefix(text: string | null): Promise<void>;
  reset(): void;
}

/**
 * The serving simulation (lib/lessons/serving-sim's Server) on the model thread, behind plain
 * snapshots; it and its tensors are freed there on reset, on unmount and when the model changes.
 */
export function useServer(model: ModelHandle | null, numBlocks: number): UseServer {
  const server = useRef<Promise<number> | null>(null);
  const lock = useRef(false);
  const [view, setView] = useState<ServerView | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const reset = useCallback(() => {
    const s = server.current;
    server.current = null;
    void s?.then((id) => getClient().call('serverDispose', { server: id })).catch(() => undefined);
    setView(null);
    setMessage(null);
  }, []);
  useEffect(() => reset, [model, numBlocks, reset]);

  const get = useCallback((): Promise<number> => {
    if (!model) return Promise.reject(new Error('The model is not loaded yet.'));
    server.current ??= getClient()
      .call('serverCreate', { model: model.key, numBlocks })
      .then((r) => r.server);
    return server.current;
  }, [model, numBlocks]);

  const guarded = useCallback(
    async (work: (id: number) => Promise<string | null>) => {
      if (lock.current) return;
      lock.current = true;
      setBusy(true);
      const mine = get();
      try {
        const id = await mine;
        const note = await work(id);
        if (server.current === mine) setMessage(note);
      } catch (err) {
        if (server.current === mine) setMessage(err instanceof Error ? err.message : String(err));
      } finally {
        lock.current = false;
        setBusy(false);
      }
    },
    [get],
  );

  /** Admit `list` in order; a refusal (OutOfBlocksError) ends the list. The view updates after each. */
  const admitAll = async (id: number, list: readonly { prompt: string | readonly number[]; tokens: number }[], usePrefix: boolean) => {
    let n = 0;
    const client = getClient();
    for (const x of list) {
      try {
        const v = await client.call('serverAdmit', {
          server: id,
          prompt: typeof x.prompt === 'string' ? x.prompt : [...x.prompt],
          tokens: x.tokens,
          usePrefix,
        });
        setView(v);
      } catch (err) {
        if ((err as { name?: string }).name !== 'OutOfBlocksError') throw err;
        setView(await client.call('serverView', { server: id }));
        return { n, full: true };
      }
      n += 1;
    }
    return { n, full: false };
  };

  return {
    view,
    busy,
    message,
    start: (list, usePrefix) =>
      guarded(async (id) => {
        const r = await admitAll(id, list, usePrefix);
        return r.full
          ? `The pool is full: ${r.n} of ${list.length} sessions started; the rest would not fit. Decode until some finish.`
          : null;
      }),
    fill: (prompt, tokens, usePrefix) =>
      guarded(async (id) => {
        const r = await admitAll(
          id,
          Array.from({ length: 1000 }, () => ({ prompt, tokens })),
          usePrefix,
        );
        return `Started ${r.n} session${r.n === 1 ? '' : 's'} before the pool refused the next one.`;
      }),
    step: () =>
      guarded(async (id) => {
        const r = await getClient().call('serverStep', { server: id });
        setView(r.view);
        if (r.running === 0) return 'No session is running: start one.';
        return r.advanced === 0
          ? 'Every running session needs a new block and none is free: they wait (a real server would pause ' +
              'one and give its blocks to the others).'
          : null;
      }),
    setPrefix: (text) =>
      guarded(async (id) => {
        setView(await getClient().call('serverPrefix', { server: id, text }));
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

/** Runs lib/lessons/prefix's comparePrefixSharing on the model thread, once per click. */
export function usePrefixComparison(model: ModelHandle | null): UsePrefixComparison {
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
      if (!model || running) return;
      setRunning(true);
      setError(null);
      void getClient()
        .call('comparePrefix', { model: model.key, system, asks: [...asks], tokens })
        .then(
          (r) => live.current && setResult(r),
          (err: unknown) => live.current && setError(err instanceof Error ? err.message : String(err)),
        )
        .finally(() => live.current && setRunning(false));
    },
    [model, running],
  );
  return { result, running, error, run, reset: () => setResult(null) };
}
