'use client';

import { useEffect, useState } from 'react';
import { assetPath } from '@/lib/paths';
import { parseValPassage } from '@/lib/lessons/gqa';

export interface ValPassageState {
  text: string | null;
  source: string | null;
  error: string | null;
}

/** The held-out validation passage the lessons measure loss on (public/data/val-passage.json), fetched once per cell. */
export function useValPassage(): ValPassageState {
  const [state, setState] = useState<ValPassageState>({ text: null, source: null, error: null });
  useEffect(() => {
    let live = true;
    fetch(assetPath('/data/val-passage.json'))
      .then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.json();
      })
      .then(parseValPassage)
      .then(
        (p) => live && setState({ text: p.text, source: p.source, error: null }),
        (err: unknown) =>
          live &&
          setState({
            text: null,
            source: null,
            error:
              `Could not load the held-out passage (${err instanceof Error ? err.message : String(err)}). ` +
              `Reload the page to try again.`,
          }),
      );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
