'use client';

import { useEffect, useState } from 'react';
import { getClient, type ModelHandle } from '@/lib/worker/client';
import type { ModelSize } from '@/lib/lessons/sizes';

export type TimingModelState =
  { status: 'none' } | { status: 'drawing' } | { status: 'ready'; model: ModelHandle } | { status: 'error'; message: string };

/**
 * A timing model of `size` on the model thread while a cell shows that size: random weights drawn
 * there from the lab's seed (nothing downloaded), speaking the tokenizer of the loaded model
 * `tokenizerOf`, freed when the size changes or the cell goes away. For 'austen', or before
 * `tokenizerOf` is loaded, there is nothing to draw: { status: 'none' }.
 */
export function useTimingModel(size: ModelSize, tokenizerOf: ModelHandle | null): TimingModelState {
  const [state, setState] = useState<{ size: ModelSize; state: TimingModelState }>({ size, state: { status: 'none' } });
  const key = tokenizerOf?.key ?? null;

  useEffect(() => {
    if (size === 'austen' || key === null) return;
    let alive = true;
    const nav = navigator as Navigator & { deviceMemory?: number };
    const client = getClient();
    client.call('timingModel', { size, tokenizerOf: key, deviceMemory: nav.deviceMemory }).then(
      (model) => alive && setState({ size, state: { status: 'ready', model } }),
      (err: unknown) => alive && setState({ size, state: { status: 'error', message: err instanceof Error ? err.message : String(err) } }),
    );
    return () => {
      alive = false;
      // Until the next size's model is drawn, the render below reads 'drawing', never a freed model.
      setState({ size: 'austen', state: { status: 'none' } });
      void client.call('timingRelease', { size }).catch(() => undefined);
    };
  }, [size, key]);

  if (size === 'austen' || key === null) return { status: 'none' };
  return state.size === size ? state.state : { status: 'drawing' };
}
