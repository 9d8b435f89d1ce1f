import { describe, expect, it } from 'vitest';
import { classCsv, deviceLabel, groupResults, speedupBySize, type SharedResult } from '@/lib/lessons/class-results';

let n = 0;
const r = (p: Partial<SharedResult>): SharedResult => ({
  id: String(n++),
  at: '2026-01-01T00:00:00.000Z',
  kind: 'race',
  device: 'Mac',
  backend: 'webgpu',
  model: 'austen',
  tokens: 128,
  repeats: 1,
  naiveMedianMs: 20,
  cachedMedianMs: 10,
  speedup: 2,
  tokensMatch: true,
  ...p,
});

describe('class results', () => {
  it('groups by device, backend and size with medians, sorted by size then speedup', () => {
    const groups = groupResults([
      r({ speedup: 2, naiveMedianMs: 20 }),
      r({ speedup: 4, naiveMedianMs: 40 }),
      r({ speedup: 3, naiveMedianMs: 30 }),
      r({ backend: 'wasm', speedup: 9 }),
      r({ tokens: 32, speedup: 1.5 }),
    ]);
    expect(groups.map((g) => [g.tokens, g.backend, g.count, g.speedup])).toEqual([
      [32, 'webgpu', 1, 1.5],
      [128, 'wasm', 1, 9],
      [128, 'webgpu', 3, 3],
    ]);
    expect(groups[2].naiveMedianMs).toBe(30);
  });

  it('never groups a bench step with a race, nor one model size with another', () => {
    const groups = groupResults([r({}), r({ kind: 'bench' }), r({ kind: 'bench', model: '10m' }), r({ kind: 'bench', model: '10m' })]);
    expect(groups.map((g) => [g.kind, g.model, g.count])).toEqual(
      expect.arrayContaining([
        ['race', 'austen', 1],
        ['bench', 'austen', 1],
        ['bench', '10m', 2],
      ]),
    );
    expect(groups).toHaveLength(3);
  });

  it('charts the median speedup of each backend per size, leaving out sizes a backend has no result for', () => {
    const { rows, backends } = speedupBySize([r({ speedup: 2 }), r({ speedup: 4 }), r({ backend: 'cpu', tokens: 32, speedup: 5 })]);
    expect(backends).toEqual(['cpu', 'webgpu']);
    expect(rows).toEqual([
      { tokens: 32, cpu: 5 },
      { tokens: 128, webgpu: 3 },
    ]);
  });

  it('writes one CSV row per result with a header, quoting fields that need it', () => {
    const csv = classCsv([r({ nickname: 'Mr, Darcy', speedup: 2.5 })]);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].split(',')[0]).toBe('at');
    expect(lines[1]).toContain('"Mr, Darcy"');
    expect(lines[1]).toContain(',2.5,');
  });

  it('names the device by its GPU adapter when there is one, else by the kind of device', () => {
    const ua = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130 Mobile Safari/537.36';
    expect(deviceLabel(null, ua)).toBe('Android phone');
    expect(deviceLabel({ vendor: 'apple', architecture: 'metal-3' }, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)')).toBe(
      'Mac, apple metal-3',
    );
    expect(deviceLabel({ vendor: 'x', architecture: 'y', description: '<b>' + 'z'.repeat(100) }, 'Windows').length).toBe(80);
    expect(deviceLabel({ vendor: 'x', architecture: 'y', description: '<b>' }, 'Windows')).toBe('Windows PC, b');
  });
});
