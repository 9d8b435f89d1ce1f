'use client';

import { useEffect, useState } from 'react';
import type { GPT, PlainTrace, Tokenizer } from '@/lib/gpt';

export interface AttentionTraceState {
  status: 'idle' | 'running' | 'ready' | 'error';
  /** The traced token ids and their printable labels. */
  ids: number[];
  labels: string[];
  /** Every layer's q, k, v, scores, scaled, masked and weights as plain arrays. */
  trace: PlainTrace | null;
  error: string | null;
}

const IDLE: AttentionTraceState = { status: 'idle', ids: [], labels: [], trace: null, error: null };

/**
 * The attention internals of one uncached pass over `text` (its first `maxTokens` tokens), read into
 * plain arrays for the view. Re-runs when the model or the text changes (after a short pause while
 * typing); the tensors never leave lib/gpt.
 */
export function useAttentionTrace(
  model: GPT | null,
  tokenizer: Tokenizer | null,
  text: string,
  maxTokens: number,
): AttentionTraceState {
  const [state, setState] = useState<AttentionTraceState>(IDLE);
  useEffect(() => {
    if (!model || !tokenizer) return;
    const ids = tokenizer.encode(text).slice(0, Math.min(maxTokens, model.config.blockSize));
    let live = true;
    const timer = setTimeout(() => {
      if (ids.length === 0) {
        setState({ ...IDLE, status: 'error', error: 'The prompt is empty: type some text to look inside.' });
        return;
      }
      setState((s) => ({ ...s, status: 'running' }));
      import('@/lib/gpt')
        .then((gpt) => gpt.traceForward(model, ids))
        .then(
          (trace) => {
            if (live) setState({ status: 'ready', ids, labels: ids.map((id) => tokenizer.tokenLabel(id)), trace, error: null });
          },
          (err: unknown) => {
            if (live) setState({ ...IDLE, status: 'error', error: err instanceof Error ? err.message : String(err) });
          },
        );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [model, tokenizer, text, maxTokens]);
  return state;
}
