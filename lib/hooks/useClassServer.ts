'use client';

import { useEffect, useState } from 'react';
import { assetPath } from '@/lib/paths';

/** 'checking' until the probe answers; 'present' only when `kvlab serve` keeps class results here. */
export type ClassServer = 'checking' | 'present' | 'absent';

let probe: Promise<ClassServer> | null = null;

/**
 * Whether this page is served by `kvlab serve` with class results: one same-origin GET of
 * /api/health per page load. A plain static host answers 404 (or HTML), so the share button and the
 * class page's live table stay away and nothing is ever sent anywhere.
 */
export function probeClassServer(): Promise<ClassServer> {
  probe ??= fetch(assetPath('/api/health'), { cache: 'no-store', credentials: 'same-origin' })
    .then(async (res) => {
      if (!res.ok || !res.headers.get('content-type')?.includes('application/json')) return 'absent' as const;
      const body = (await res.json()) as { server?: string; results?: boolean };
      return body.server === 'kvlab' && body.results === true ? ('present' as const) : ('absent' as const);
    })
    .catch(() => 'absent' as const);
  return probe;
}

export function useClassServer(): ClassServer {
  const [state, setState] = useState<ClassServer>('checking');
  useEffect(() => {
    let live = true;
    void probeClassServer().then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);
  return state;
}
