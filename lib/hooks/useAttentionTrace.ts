'use client';

import { useEffect, useState } from 'react';
import type { GPTConfig, PlainTrace, Tokenizer } from '@/lib/gpt';
import { getClient, type ModelHandle } from '@/lib/worker/client';

export interface AttentionTraceState {
  status: 'idle' | 'running' | 'ready' | 'error';
  /** The traced token ids and their printable labels. */
  ids: number[];
  labels: string[];
  /** Every layer's q, k, v, scores, scaled, masked and weights as plain arrays. */
  trace: PlainTrace | null;
  error: string | null;
}

interface Traced extends AttentionTraceState {
  /** The model config the trace was made with. */
  config: GPTConfig | null;
}

const IDLE: AttentionTraceState = { status: 'idle', ids: [], labels: [], trace: null, error: null };

/**
 * The attention internals of one uncached pass over `text` (its first `maxTokens` tokens), read into
 * plain arrays for the view. Re-runs when the model or the text changes (after a short pause while
 * typing); the pass runs on the model thread and the tensors never leave it. `model` is useModel's
 * handle (it was the `GPT` before the model worker).
 */
export function useAttentionTrace(
  model: ModelHandle | null,
  tokenizer: Tokenizer | null,
  text: string,
  maxTokens: number,
): AttentionTraceState {
  const [state, setState] = useState<Traced>({ ...IDLE, config: null });
  useEffect(() => {
    if (!model || !tokenizer) return;
    const ids = tokenizer.encode(text).slice(0, Math.min(maxTokens, model.config.blockSize));
    let live = true;
    const timer = setTimeout(() => {
      if (ids.length === 0) {
        setState({ ...IDLE, status: 'error', error: 'The prompt is empty: type some text to look inside.', config: model.config });
        return;
      }
      setState((s) => ({ ...s, status: 'running' }));
      getClient()
        .call('trace', { model: model.key, ids })
        .then(
          (trace) => {
            if (live) {
              const labels = ids.map((id) => tokenizer.tokenLabel(id));
              setState({ status: 'ready', ids, labels, trace, error: null, config: model.config });
            }
          },
          (err: unknown) => {
            if (live) setState({ ...IDLE, status: 'error', error: err instanceof Error ? err.message : String(err), config: model.config });
          },
        );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [model, tokenizer, text, maxTokens]);
  // A trace of the previous text stays up while the new one runs; one of another model never does.
  if (!model || state.config !== model.config) return { ...IDLE, status: model ? 'running' : 'idle' };
  const { status, ids, labels, trace, error } = state;
  return { status, ids, labels, trace, error };
}
