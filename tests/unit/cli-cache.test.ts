import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../../lib/gpt/node-io';
import { disposeWeights } from '../../lib/gpt/params';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'kvlab-cache-cli-'));
  const model = tinyModel({ nLayer: 2, nHead: 2, nKvHead: 1, nEmbd: 64, blockSize: 48 }, 2, 3); // hs 32: int groups of 32 fit
  await saveModelDir(join(dir, 'm'), model, bytes.toJSON());
  disposeWeights(model.weights);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const kvlab = (...args: string[]) => spawnSync('node', ['bin/kvlab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const json = (...args: string[]) => {
  const r = kvlab(...args);
  expect(r.stderr).not.toMatch(/kvlab:/);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
};

describe('kvlab --cache', () => {
  it('generate --cache paged --block-size 4 gives --mode cached’s greedy tokens', () => {
    const gen = (...extra: string[]) =>
      json('generate', '--model', join(dir, 'm'), '--prompt', 'Elizabeth said', '--tokens', '20', '--json', ...extra);
    const cached = gen('--mode', 'cached');
    const paged = gen('--cache', 'paged', '--block-size', '4');
    expect(paged.tokens).toEqual(cached.tokens);
    expect(paged.mode).toBe('cached:paged/4');
    expect(paged.steps.map((s: { cacheLength: number }) => s.cacheLength)).toEqual(
      cached.steps.map((s: { cacheLength: number }) => s.cacheLength),
    );
  });

  it('generate --cache int8-token,window:6 holds 6 rows with packed int8 bytes', () => {
    const out = json(
      'generate',
      '--model',
      join(dir, 'm'),
      '--prompt',
      'Elizabeth said',
      '--tokens',
      '5',
      '--json',
      '--cache',
      'int8-token,window:6',
    );
    expect(out.steps.map((s: { cacheLength: number }) => s.cacheLength)).toEqual([6, 6, 6, 6, 6]);
    // per layer and position: k and v, 32 one-byte codes + a float32 scale and zero point per group of 32
    expect(out.steps[0].cacheBytes).toBe(2 * 6 * 2 * (32 + 8));
  });

  it('eval --split val: full decode equals full prefill; int8 and window cost loss; the JSON says what was measured', () => {
    const ev = (...extra: string[]) =>
      json(
        'eval',
        '--model',
        join(dir, 'm'),
        '--split',
        'val',
        '--limit-chars',
        '1000',
        '--windows',
        '2',
        '--backend',
        'cpu',
        '--json',
        ...extra,
      );
    const full = ev();
    expect(full).toMatchObject({ split: 'val', cache: 'full', mode: 'decode', characters: 1000, limitChars: 1000, tokens: 96, windows: 2 });
    expect(full.lossPerChar).toBeCloseTo(full.lossPerToken / full.charsPerToken, 10);
    expect(full.bytesPerPosition).toBe(2 * 2 * 32 * 4);
    expect(ev('--mode', 'prefill').lossPerToken).toBeCloseTo(full.lossPerToken, 4);
    const int4 = ev('--cache', 'int4');
    expect(int4.lossPerToken).not.toBe(full.lossPerToken);
    expect(Math.abs(int4.lossPerToken - full.lossPerToken)).toBeLessThan(0.2);
    const win = ev('--cache', 'window:8');
    expect(win.rowsHeld).toBe(8);
    expect(win.lossPerToken).not.toBe(full.lossPerToken);
  }, 120_000);

  for (const [why, args, message] of [
    ['an unknown cache', ['eval', '--model', 'x', '--split', 'val', '--cache', 'int3'], /--cache unknown cache "int3"/],
    ['a bad split', ['eval', '--model', 'x', '--split', 'test'], /--split must be val or train/],
    [
      'a bad window',
      ['generate', '--model', 'x', '--prompt', 'a', '--cache', 'window:0'],
      /--cache window:0: window must be an integer ≥ 1/,
    ],
    ['block size without paged', ['generate', '--model', 'x', '--prompt', 'a', '--block-size', '8'], /--block-size needs --cache paged/],
  ] as const) {
    it(`exits 2 with one line for ${why}`, () => {
      const r = kvlab(...args.map((a) => (a === 'x' ? join(dir, 'm') : a)));
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
