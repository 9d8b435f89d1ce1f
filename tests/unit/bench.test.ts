import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countKernels } from '../../lib/bench/kernels';
import {
  disposeBenchModel,
  disposePosition,
  measurePosition,
  MAX_STEPS_PER_SAMPLE,
  measurePositions,
  prepareBench,
  setupPosition,
  timeSample,
  timeStep,
} from '../../lib/bench/measure';
import { benchSchedule, RUN_UP, staticPathServed } from '../../lib/bench/schedule';
import { browserMemoryBudget, checkFastPath, pagePositions, probeSteps } from '../../lib/bench/page-run';
import {
  bandwidthBoundMs,
  buildRows,
  flatnessRows,
  formatFlatness,
  formatRates,
  formatTable,
  rateAt,
  stepBytes,
  type RunRecord,
} from '../../lib/bench/results';
import { disposeWeights } from '../../lib/gpt/params';
import { tinyModel, useCpu } from './gpt-helpers';

describe('bench measurements (cpu, tiny model)', () => {
  beforeAll(useCpu);

  it('interleaves every kind and path for the requested rounds and leaks no tensor', async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    const before = tf.memory().numTensors;
    const s = setupPosition(bm, 20);
    expect(s.cache.length).toBe(19);
    const steps: number[] = [];
    let yields = 0;
    const between = async () => void yields++;
    // onRound runs before each round's first step (where the bench probes the read rate): 7 rounds,
    // each seen when 4 steps a round have been done before it.
    const rounds: [number, number][] = [];
    const samples = await measurePosition(bm, s, {
      warmup: 2,
      repeats: 5,
      onStep: (d) => steps.push(d),
      between,
      onRound: (r) => void rounds.push([r, steps.length]),
    });
    expect(rounds).toEqual(Array.from({ length: 7 }, (_, r) => [r, 4 * r]));
    disposePosition(s);
    expect(Object.keys(samples).sort()).toEqual(['cached-fast', 'cached-reference', 'naive-fast', 'naive-reference']);
    for (const v of Object.values(samples)) expect(v).toHaveLength(5);
    expect(steps.at(-1)).toBe(7 * 4);
    // The event loop gets a turn after every step, run-ups included, so a Stop is read at once.
    expect(yields).toBe(7 * 4 * (RUN_UP + 1));
    expect(tf.memory().numTensors).toBe(before);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });

  it('interleaves positions within every round, rotating which goes first', async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    const before = tf.memory().numTensors;
    const setups = [4, 12, 20].map((P) => setupPosition(bm, P));
    const order: number[] = [];
    const all = await measurePositions(bm, setups, {
      warmup: 1,
      repeats: 3,
      paths: ['fast'],
      kinds: ['cached'],
      onStep: (_d, _t, P) => order.push(P),
    });
    setups.forEach(disposePosition);
    // One step per position per round, the first position rotating: drift spreads over all of them.
    expect(order).toEqual([4, 12, 20, 12, 20, 4, 20, 4, 12, 4, 12, 20]);
    expect(all.map((s) => s['cached-fast']?.length)).toEqual([3, 3, 3]);
    expect(all.every((s) => Object.keys(s).length === 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });

  it('runs every step right after RUN_UP untimed cached steps of its own path and position, and times only the rounds after the warm-ups', () => {
    const combos = [
      ['naive', 'reference'],
      ['naive', 'fast'],
      ['cached', 'reference'],
      ['cached', 'fast'],
      ['cached', 'static'],
    ] as const;
    const schedule = benchSchedule(3, combos, 2, 4);
    expect(RUN_UP).toBeGreaterThanOrEqual(24); // fewer left the ~11M model's step at 1,000 still settling back into cache
    expect(schedule).toHaveLength((RUN_UP + 1) * (2 + 4) * 3 * combos.length);
    const steps = schedule.filter((s) => !s.runUp);
    expect(steps).toHaveLength((2 + 4) * 3 * combos.length);
    schedule.forEach((step, i) => {
      if (step.runUp) expect(step).toMatchObject({ kind: 'cached', timed: false });
      else {
        // the RUN_UP steps just before it: cached, its own setup and path
        const before = schedule.slice(i - RUN_UP, i);
        expect(before).toHaveLength(RUN_UP);
        for (const b of before) expect(b).toMatchObject({ setup: step.setup, path: step.path, kind: 'cached', runUp: true });
        expect(step.timed).toBe(step.round >= 2);
      }
    });
    // Each (setup, kind, path) is timed once per timed round.
    const timed = new Map<string, number>();
    for (const s of schedule)
      if (s.timed) timed.set(`${s.setup} ${s.kind} ${s.path}`, (timed.get(`${s.setup} ${s.kind} ${s.path}`) ?? 0) + 1);
    expect(timed.size).toBe(3 * combos.length);
    expect([...timed.values()].every((n) => n === 4)).toBe(true);
    // The page's rough probe asks for none.
    expect(benchSchedule(3, combos, 2, 4, 0).filter((s) => s.runUp)).toHaveLength(0);
  });

  it('offers the static path only where a row is written in place (wasm)', () => {
    expect(staticPathServed('wasm')).toBe(true);
    for (const b of ['cpu', 'webgl', 'webgpu']) expect(staticPathServed(b)).toBe(false);
  });

  it("times the static cache's cached step beside the others, and pools its row with the fast path's naive step", async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    const before = tf.memory().numTensors;
    const setups = [6, 14].map((P) => setupPosition(bm, P, true));
    expect(setups[1].staticCache!.kind.name).toBe('static');
    expect(setups[1].staticCache!.length).toBe(13);
    const all = await measurePositions(bm, setups, { warmup: 1, repeats: 3, paths: ['reference', 'fast', 'static'] });
    await expect(timeStep(bm, setups[0], 'naive', 'static')).rejects.toThrow(/cached steps/);
    setups.forEach(disposePosition);
    expect(Object.keys(all[0]).sort()).toEqual(['cached-fast', 'cached-reference', 'cached-static', 'naive-fast', 'naive-reference']);
    const rows = buildRows(
      [{ backend: 'cpu', positions: all.map((samples, i) => ({ position: [6, 14][i], samples })) }],
      model.config,
      'tiny',
      { bytesPerSecond: 1e10 },
    );
    const at14 = (path: string) => rows.find((r) => r.position === 14 && r.path === path)!;
    expect(at14('static').naiveMs).toBe(at14('fast').naiveMs);
    expect(at14('static').cachedMs).not.toBe(at14('fast').cachedMs);
    expect(flatnessRows(rows).map((f) => f.path)).toEqual(['reference', 'fast', 'static']);
    expect(formatTable(rows)).toMatch(/\| 14 \| static \| .* \| ×\d/);
    expect(tf.memory().numTensors).toBe(before);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });

  it('counts fewer kernels for a fast cached step than a reference one, and restores the engine', async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    const s = setupPosition(bm, 10);
    const engine = tf.engine() as unknown as { runKernelFunc: unknown };
    const original = engine.runKernelFunc;
    const ref = await countKernels(async () => void (await timeStep(bm, s, 'cached', 'reference')));
    const fast = await countKernels(async () => void (await timeStep(bm, s, 'cached', 'fast')));
    expect(engine.runKernelFunc).toBe(original);
    expect(ref.scopes).toBeGreaterThan(0); // the readable path's customGrad matmuls
    expect(fast.scopes).toBe(0);
    expect(fast.kernels).toBeLessThan(0.75 * ref.kernels);
    expect(fast.gpuPrograms).toBeNull();
    expect(fast.byName.find(([n]) => n === '_FusedMatMul')?.[1]).toBe(2 * 4 + 1); // 4 linears per layer + head
    disposePosition(s);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });

  it('times a short step back to back where the clock is coarse, at most MAX_STEPS_PER_SAMPLE times, leaking nothing', async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    const s = setupPosition(bm, 10);
    await timeStep(bm, s, 'cached', 'fast');
    const before = tf.memory().numTensors;
    const one = await countKernels(async () => void (await timeStep(bm, s, 'cached', 'fast')));
    const capped = await countKernels(async () => void (await timeSample(bm, s, 'cached', 'fast', 1e9)));
    expect(capped.kernels).toBe(MAX_STEPS_PER_SAMPLE * one.kernels);
    const t0 = performance.now();
    const mean = await timeSample(bm, s, 'cached', 'fast', 30);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(30);
    expect(mean).toBeLessThan(elapsed / 2); // several steps shared the sample (a tiny step is far under 15 ms)
    // measurePositions passes the floor to timed and warm-up samples only, not to the run-ups.
    const counted = await countKernels(async () => {
      await measurePosition(bm, s, { warmup: 0, repeats: 1, paths: ['fast'], kinds: ['cached'], runUp: 2, minSampleMs: 1e9 });
    });
    expect(counted.kernels).toBe((MAX_STEPS_PER_SAMPLE + 2) * one.kernels);
    expect(tf.memory().numTensors).toBe(before);
    disposePosition(s);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });

  it('checks the fast path and fits a probe', async () => {
    const model = tinyModel();
    const bm = prepareBench(model);
    expect(await checkFastPath(bm, 12)).toBeLessThanOrEqual(1e-4);
    const probe = await probeSteps(bm, [8, 40]);
    expect(Number.isFinite(probe.naive.slope)).toBe(true);
    expect(Number.isFinite(probe.cached.intercept)).toBe(true);
    disposeBenchModel(bm);
    disposeWeights(model.weights);
  });
});

describe('bench results', () => {
  const c = { nLayer: 1, nHead: 1, nKvHead: 1, nEmbd: 4, blockSize: 64, vocabSize: 8 };
  const run = (scale: number): RunRecord => ({
    backend: 'wasm',
    positions: [
      {
        position: 16,
        samples: {
          'naive-reference': [10, 11, 12].map((x) => x * scale),
          'cached-reference': [1.9, 2, 2.3],
          'naive-fast': [5, 5, 5],
          'cached-fast': [1, 1, 1],
        },
      },
      {
        position: 63,
        samples: {
          'naive-reference': [40, 40, 40],
          'cached-reference': [2, 2.1, 2.2],
          'naive-fast': [20, 20, 20],
          'cached-fast': [3, 3, 3],
        },
      },
    ],
  });

  it('pools processes into one row per position and path, in the original format plus the path', () => {
    const rows = buildRows([run(1), run(2)], c, 'austen', { bytesPerSecond: 1e10 });
    expect(rows).toHaveLength(4);
    const r = rows[0];
    expect([r.position, r.path, r.naiveMs]).toEqual([16, 'reference', 16]); // median of 10, 11, 12, 20, 22, 24
    expect(r.processMedians.naive).toEqual([11, 22]);
    expect(r.speedup).toBe(16 / 2);
    expect(r.naiveSpread.n).toBe(6);
    expect(formatTable(rows)).toContain('| wasm | 16 | fast | 5.00 (5.00–5.00) | 1.00 (1.00–1.00) | 5.0× | ×0.31 | ×0.50 |');
  });

  it('bounds each position at its own read rate, and at the one rate where a file has no per-position rates', () => {
    const perPosition = [
      { position: 16, bytes: stepBytes(c, 16), bytesPerSecond: 4e9 },
      { position: 63, bytes: stepBytes(c, 63), bytesPerSecond: 1e9 },
    ];
    const rows = buildRows([run(1)], c, 'austen', { bytesPerSecond: 1e9, perPosition });
    const fast = (P: number) => rows.find((r) => r.position === P && r.path === 'fast')!;
    expect(fast(16).readBytesPerSecond).toBe(4e9);
    expect(fast(16).boundMs).toBeCloseTo((stepBytes(c, 16) / 4e9) * 1000, 12);
    expect(fast(16).share).toBeCloseTo(fast(16).boundMs / 1, 12);
    expect(fast(63).boundMs).toBeCloseTo(bandwidthBoundMs(c, 63, 1e9), 12);
    expect(rateAt({ bytesPerSecond: 7e9 }, 16)).toBe(7e9);
    expect(rateAt({ bytesPerSecond: 7e9, perPosition }, 40)).toBe(7e9); // not probed: the single rate
    expect(formatRates({ bytesPerSecond: 1e9, perPosition })).toBe(
      `16: 4.00 GB/s over ${(stepBytes(c, 16) / 2 ** 20).toFixed(1)} MB; 63: 1.00 GB/s over ${(stepBytes(c, 63) / 2 ** 20).toFixed(1)} MB`,
    );
    expect(formatRates({ bytesPerSecond: 2.5e10 })).toBe('25.0 GB/s');
  });

  it('reports flatness only beyond the spread', () => {
    const text = formatFlatness(flatnessRows(buildRows([run(1)], c, 'austen', { bytesPerSecond: 1e10 })));
    expect(text).toContain('wasm reference: cached step at 63 vs 16: flat within the spread');
    expect(text).toContain('wasm fast: cached step at 63 vs 16: ×3.00');
  });

  it('picks page positions and a memory budget from what the browser reports', () => {
    expect(pagePositions(256)).toEqual([16, 64, 255]);
    expect(pagePositions(1024)).toEqual([16, 256, 512, 1000]);
    expect(browserMemoryBudget('wasm', 8).bytes).toBe(2 * 2 ** 30);
    expect(browserMemoryBudget('webgpu', 8).bytes).toBe(4 * 2 ** 30);
    expect(browserMemoryBudget('webgpu', undefined).source).toContain('does not report');
  });
});
