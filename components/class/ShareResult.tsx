'use client';

import { useId, useState } from 'react';
import type { BackendState } from '@/lib/backend/store';
import { deviceLabel } from '@/lib/lessons/class-results';
import { assetPath } from '@/lib/paths';
import { useClassServer } from '@/lib/hooks/useClassServer';
import './class.css';

/** What a learner shares: a race's medians, or the bench's at its longest position. */
export interface ShareableResult {
  kind: 'race' | 'bench';
  model: string;
  /** Tokens generated (race) or the position measured (bench): the size the class page groups by. */
  tokens: number;
  repeats: number;
  naiveMedianMs: number;
  cachedMedianMs: number;
  /** Race: both generators chose the same tokens. Bench: the fast path equals the reference. */
  tokensMatch: boolean;
}

export interface ShareResultProps {
  result: ShareableResult;
  backend: BackendState;
}

type Sent = { status: 'idle' | 'sending' | 'sent' } | { status: 'error'; message: string };

/**
 * "Share with the class": sends a race's or the bench's medians (no prompt, no text, a nickname at
 * most) to the `kvlab serve` that served the page. Renders nothing on any other host.
 */
export function ShareResult({ result, backend }: ShareResultProps) {
  const server = useClassServer();
  const [nickname, setNickname] = useState('');
  const [sent, setSent] = useState<Sent>({ status: 'idle' });
  const nickId = useId();
  if (server !== 'present' || backend.status !== 'ready') return null;
  const { report } = backend;
  const device = deviceLabel(report.adapter, navigator.userAgent);

  const share = async () => {
    setSent({ status: 'sending' });
    const body = {
      ...result,
      ...(nickname.trim() ? { nickname: nickname.trim().slice(0, 32) } : {}),
      device,
      backend: report.name,
      software: Boolean(report.adapter?.software),
    };
    try {
      const res = await fetch(assetPath('/api/results'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.ok) setSent({ status: 'sent' });
      else {
        const detail = ((await res.json().catch(() => ({}))) as { error?: string }).error;
        setSent({ status: 'error', message: `The class server refused the result${detail ? `: ${detail}` : '.'}` });
      }
    } catch {
      setSent({ status: 'error', message: 'Could not reach the class server. Check the wifi and try again.' });
    }
  };

  return (
    <div className="share-result" data-share="">
      <p className="viz-note">Shares only these medians, the backend and “{device}” — not your prompt or text.</p>
      <div className="share-row">
        <label htmlFor={nickId}>Nickname (optional)</label>
        <input id={nickId} type="text" maxLength={32} value={nickname} onChange={(e) => setNickname(e.target.value)} autoComplete="off" />
        <button type="button" className="button" disabled={sent.status === 'sending'} onClick={() => void share()}>
          {sent.status === 'sent' ? 'Share again' : 'Share with the class'}
        </button>
      </div>
      <p aria-live="polite" className={sent.status === 'error' ? 'error' : 'viz-note'}>
        {sent.status === 'sent' ? 'Shared: it is on the class page now.' : sent.status === 'error' ? sent.message : ''}
      </p>
    </div>
  );
}
