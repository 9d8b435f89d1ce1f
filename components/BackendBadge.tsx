'use client';

import Link from 'next/link';
import { useBackendState } from '@/lib/hooks/useBackend';

const LABELS = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const;

/**
 * Header badge naming the tfjs backend. It only reads the backend store, so it never loads tfjs
 * itself: until a cell starts tfjs it says so, with `data-backend="pending"`.
 */
export function BackendBadge() {
  const state = useBackendState();
  let backend = 'pending';
  let text = 'Backend: chosen when a cell runs';
  let detail: string | undefined;
  let tone = 'idle';
  if (state.status === 'loading') {
    text = 'Backend: starting…';
  } else if (state.status === 'error') {
    backend = 'error';
    text = 'Backend: none could start';
    detail = state.message;
    tone = 'error';
  } else if (state.status === 'ready') {
    const { report } = state;
    backend = report.name;
    text = `Backend: ${LABELS[report.name]}`;
    detail = report.lost ?? report.note;
    tone = report.lost ? 'error' : report.note ? 'warn' : 'ok';
  }
  return (
    <Link href="/device/" className={`badge badge-${tone}`} data-backend={backend} title="Your device: which backend runs and why">
      <span className="badge-dot" aria-hidden="true" />
      <span>{text}</span>
      {detail ? <span className="badge-detail">{detail}</span> : null}
    </Link>
  );
}
