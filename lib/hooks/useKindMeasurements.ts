'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { GPT, Tokenizer } from '@/lib/gpt';
import type { CacheKind } from '@/lib/gpt/kvcache';
import type { KindMeasurement } from '@/lib/lessons/cache-quality';

/** One cache kind to measure: a label for people and a way to build it for the loaded model. */
export interface KindSpec {
  id: string;
  label: string;
  make: (model: GPT) => Promise<CacheKind>;
}

export interface KindRuns {
  results: Record<string, KindMeasurement>;
  /** The kind being measured now, or null. */
  running: string | null;
  error: string | null;
  run(): void;
  reset(): void;
}

/**
 * Measures each kind in turn on `text` (lib/lessons/cache-quality's `measureKind`), one at a time so
 * the page stays responsive; results arrive as each finishes. Unmounting or `reset` stops the loop.
 * Thin React glue: all the work is in lib.
 */
export function useKindMeasurements(model: GPT | null, tokenizer: Tokenizer | null, text: string | null, kinds: readonly KindSpec[]): KindRuns {
  const [results, setResults] = useState<Record<string, KindMeasurement>>({});
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const runId = useRef(0);
  useEffect(() => () => void (runId.current += 1), []);

  const reset = useCallback(() => {
    runId.current += 1;
    setResults({});
    setRunning(null);
    setError(null);
  }, []);

  const run = useCallback(() => {
    if (!model || !tokenizer || !text) return;
    const id = ++runId.current;
    setResults({});
    setError(null);
    void (async () => {
      const { measureKind } = await import('@/lib/lessons/cache-quality');
      for (const k of kinds) {
        if (id !== runId.current) return;
        setRunning(k.id);
        try {
          const kind = await k.make(model);
          const m = await measureKind(model, tokenizer, text, kind);
          if (id !== runId.current) return;
          setResults((r) => ({ ...r, [k.id]: m }));
        } catch (err) {
          if (id !== runId.current) return;
          setError(`${k.label}: ${err instanceof Error ? err.message : String(err)}. Try another backend, or reload the page.`);
          break;
        }
      }
      if (id === runId.current) setRunning(null);
    })();
  }, [model, tokenizer, text, kinds]);

  return { results, running, error, run, reset };
}
