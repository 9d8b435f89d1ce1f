import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModelRegistry, type LoadProgress } from '@/lib/model-registry';

afterEach(() => vi.useRealTimers());

function setup(graceMs = 0) {
  const loads: { key: string; resolve: (v: string) => void; reject: (e: Error) => void; progress: (p: LoadProgress) => void }[] = [];
  const disposed: string[] = [];
  const registry = createModelRegistry<string>(
    (key, progress) => new Promise((resolve, reject) => loads.push({ key, resolve, reject, progress })),
    (v) => disposed.push(v),
    graceMs,
  );
  return { registry, loads, disposed };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('model registry', () => {
  it('loads a model once for two users and disposes it only after the last one leaves', async () => {
    const { registry, loads, disposed } = setup();
    registry.acquire('austen');
    registry.acquire('austen');
    expect(loads).toHaveLength(1);
    loads[0].resolve('weights-1');
    await tick();
    expect(registry.get('austen')).toMatchObject({ status: 'ready', value: 'weights-1' });
    registry.release('austen');
    await tick();
    expect(disposed).toEqual([]);
    registry.release('austen');
    await tick();
    expect(disposed).toEqual(['weights-1']);
    expect(registry.get('austen')).toBeUndefined();
  });

  it('keeps the model through an unmount and remount inside the grace period', async () => {
    vi.useFakeTimers();
    const { registry, loads, disposed } = setup(50);
    registry.acquire('austen');
    loads[0].resolve('w');
    await vi.runAllTimersAsync();
    registry.release('austen');
    registry.acquire('austen');
    await vi.advanceTimersByTimeAsync(100);
    expect(disposed).toEqual([]);
    expect(loads).toHaveLength(1);
    expect(registry.refs('austen')).toBe(1);
  });

  it('disposes a load that finishes after every user left, and loads afresh for the next user', async () => {
    const { registry, loads, disposed } = setup();
    registry.acquire('austen');
    registry.release('austen');
    await tick();
    loads[0].resolve('late');
    await tick();
    expect(disposed).toEqual(['late']);
    registry.acquire('austen');
    expect(loads).toHaveLength(2);
  });

  it('reports progress, keeps an error until retry, and retry loads again', async () => {
    const { registry, loads } = setup();
    const seen: string[] = [];
    registry.subscribe('gqa', () => seen.push(registry.get('gqa')?.status ?? 'gone'));
    registry.acquire('gqa');
    loads[0].progress({ loaded: 5, total: 10 });
    expect(registry.get('gqa')?.progress).toEqual({ loaded: 5, total: 10 });
    loads[0].reject(new Error('HTTP 404'));
    await tick();
    expect(registry.get('gqa')).toMatchObject({ status: 'error' });
    registry.retry('gqa');
    expect(loads).toHaveLength(2);
    loads[1].resolve('ok');
    await tick();
    expect(registry.get('gqa')?.status).toBe('ready');
    expect(seen).toContain('error');
  });

  it('ignores a release with no matching acquire', () => {
    const { registry } = setup();
    registry.release('austen');
    expect(registry.refs('austen')).toBe(0);
  });
});
