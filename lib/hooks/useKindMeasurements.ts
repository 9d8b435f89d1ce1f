'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Tokenizer } from '@/lib/gpt';
import type { KindRecipe } from '@/lib/lessons/cache-kinds';
import type { KindMeasurement } from '@/lib/lessons/cache-quality';
import { getClient, type ModelHandle } from '@/lib/worker/client';

/**
 * One cache kind to measure: a label for people and a recipe the model thread builds it from (a recipe
 * rather than a `make` function since the model moved into a worker: functions cannot cross to it).
 */
export interface KindSpec {
  id: string;
  label: string;
  recipe: KindRecipe;
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
 * Measures each kind in turn on `text` (lib/lessons/cache-quality's `measureKind`, on the model
 * thread), one at a time; results arrive as each finishes. Unmounting or `reset` stops the loop.
 * `model` is useModel's handle. Thin React glue: all the work is in lib.
 */
export function useKindMeasurements(
  model: ModelHandle | null,
  tokenizer: Tokenizer | null,
  text: string | null,
  kinds: readonly KindSpec[],
): KindRuns {
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
      for (const k of kinds) {
        if (id !== runId.current) return;
        setRunning(k.id);
        try {
          const m = await getClient().call('measureKind', { model: model.key, text, recipe: k.recipe });
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
