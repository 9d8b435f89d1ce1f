/**
 * `kvlab bench`: how long one decode step takes with and without the KV cache, through the readable
 * forward() and the fast path, in Node, per backend.
 *
 * For each position P: a naive step = forward over P tokens (logits 'last') + awaited readback; a
 * cached step = forward of 1 token against a cache of P−1 positions + awaited readback. Every backend
 * runs in several fresh processes (a process's allocator and JIT state otherwise colours all its
 * numbers); in each, ≥ 10 warm-up rounds, then ≥ 21 rounds with every position and
 * naive/cached × reference/fast interleaved, each step after untimed cached run-ups of its own path
 * and position (schedule.ts's benchSchedule says why). Medians are printed with their interquartile range;
 * flatness is claimed only where it exceeds that spread. The bandwidth bound is the time to read every weight and the cache once,
 * at the read rate measured over as many bytes at that position (bandwidth.ts's readBandwidths).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { RUN_UP } from '../bench/schedule';
import { fromHFConfig, type GPTConfig } from '../gpt/config';
import type { GPT } from '../gpt/forward';
import { loadModelDir } from '../gpt/node-io';
import { countParams, disposeWeights } from '../gpt/params';
import { timingModel } from '../gpt/timing-model';
import { parseSize, SIZE_PRESETS, TIMING_SEED, type ModelSize } from '../lessons/sizes';
import { median } from '../stats';
import {
  countPositionKernels,
  disposeBenchModel,
  disposePosition,
  measurePositions,
  MIN_REPEATS,
  MIN_WARMUP,
  ALL_PATHS,
  PATHS,
  prepareBench,
  setupPosition,
  type PositionKernels,
} from '../bench/measure';
import { fastestOf, readBandwidths, releaseProbeBuffer, ROUND_PROBE_REPEATS, RUN_PROBES, type Bandwidths } from '../bench/bandwidth';
import { clockInfo } from '../bench/clock';
import {
  buildRows,
  flatnessRows,
  formatFlatness,
  formatRates,
  formatTable,
  stepBytes,
  type BenchResults,
  type RunRecord,
} from '../bench/results';
import { num, parse, str, UsageError } from '../../scripts/cli-args';

const BACKENDS = ['cpu', 'wasm', 'webgpu'];

interface ModelSource {
  description: string;
  config: GPTConfig;
  load(): Promise<GPT>;
}

async function modelSource(size: ModelSize, name: string): Promise<ModelSource> {
  const preset = SIZE_PRESETS[size];
  if (preset.config) {
    const config = preset.config;
    const description =
      `timing model "${size}": random weights from seed ${TIMING_SEED}, for timing only ` +
      `(${(countParams(config) / 1e6).toFixed(1)}M parameters)`;
    // Free RAM is the budget in Node; the check runs before any weight is drawn.
    return {
      description,
      config,
      load: async () => timingModel(config, TIMING_SEED, { bytes: os.freemem(), source: 'this machine (free RAM)' }),
    };
  }
  const dir = resolve('public', 'models', name);
  if (!existsSync(join(dir, 'model.json')))
    throw new UsageError(`no trained model at public/models/${name}/ — train one (npm run train) or pass --size 10m`);
  const config = fromHFConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
  return { description: `trained model public/models/${name}/`, config, load: async () => (await loadModelDir(dir)).model };
}

function defaultPositions(blockSize: number): number[] {
  const ps: number[] = [];
  for (let p = 16; p < blockSize - 1; p *= 2) ps.push(p);
  return [...ps, blockSize - 1];
}

interface Plan {
  size: ModelSize;
  model: string;
  backends: string[];
  positions: number[];
  warmup: number;
  repeats: number;
  processes: number;
  kernels: boolean;
  /** Also time the fast path's cached step against a static cache (wasm only: elsewhere it would copy). */
  static: boolean;
}

/** One process's share: select the backend, load the model, time every position, print a RunRecord. */
async function runChild(plan: Plan): Promise<void> {
  const backend = plan.backends[0];
  let device: Pick<RunRecord, 'device' | 'software'> = {};
  if (backend === 'webgpu') {
    const { installNodeWebGPU } = await import('./node-webgpu');
    const info = await installNodeWebGPU();
    // "llvmpipe: Mesa 25.0.7 (LLVM 15)" → "llvmpipe": the table's label; the machine block keeps the rest.
    device = { device: (info.description.split(':')[0] || `${info.vendor} ${info.architecture}`).trim(), software: info.software };
  }
  if (!(await tf.setBackend(backend))) throw new UsageError(`backend "${backend}" is not available here`);
  await tf.ready();
  const source = await modelSource(plan.size, plan.model);
  const model = await source.load();
  const bm = prepareBench(model);
  const clock = clockInfo(); // Node's clock is fine: one step per sample
  const record: RunRecord = { backend, ...device, clock, positions: [] };
  // Every position's setup stays alive so the timed rounds can interleave positions (measurePositions).
  const withStatic = plan.static && backend === 'wasm';
  const paths = withStatic ? ALL_PATHS : PATHS;
  const setups = plan.positions.map((P) => setupPosition(bm, P, withStatic));
  const kernels: (PositionKernels | undefined)[] = [];
  for (const s of setups) kernels.push(plan.kernels ? await countPositionKernels(bm, s, paths) : undefined);
  let lastReport = 0;
  // The read rate at the start of every round, so the bound sees the phases the steps see.
  const sizes = plan.positions.map((P) => ({ position: P, bytes: stepBytes(model.config, P) }));
  const probes: Bandwidths[] = [];
  const all = await measurePositions(bm, setups, {
    warmup: plan.warmup,
    repeats: plan.repeats,
    paths,
    minSampleMs: clock.minSampleMs,
    onRound: () => void probes.push(readBandwidths(ROUND_PROBE_REPEATS, sizes)),
    onStep: (done, total) => {
      if (done - lastReport < total / 10 && done < total) return;
      lastReport = done;
      process.stderr.write(`  ${backend}: ${done} of ${total} steps\n`);
    },
  });
  setups.forEach(disposePosition);
  releaseProbeBuffer();
  record.bandwidth = fastestOf(probes, 'the fastest of probes at the start of every round');
  plan.positions.forEach((P, i) => {
    const samples = all[i];
    record.positions.push({ position: P, samples, ...(kernels[i] ? { kernels: kernels[i] } : {}) });
    const m = (k: keyof typeof samples) => median(samples[k] ?? []).toFixed(2);
    process.stderr.write(
      `  ${backend} P=${P}: naive ${m('naive-reference')} → ${m('naive-fast')} ms, cached ` +
        `${m('cached-reference')} → ${m('cached-fast')} ms (reference → fast)\n`,
    );
  });
  disposeBenchModel(bm);
  disposeWeights(model.weights);
  process.stdout.write(JSON.stringify(record) + '\n');
}

/** Runs `kvlab bench --child …` in a fresh Node process and reads its RunRecord. */
function spawnChild(plan: Plan, backend: string, index: number): Promise<RunRecord> {
  const args = [
    ...process.execArgv,
    process.argv[1],
    'bench',
    '--child',
    '--size',
    plan.size,
    '--model',
    plan.model,
    '--backends',
    backend,
    '--positions',
    plan.positions.join(','),
    '--warmup',
    String(plan.warmup),
    '--repeats',
    String(plan.repeats),
    ...(plan.static ? ['--static'] : []),
    ...(index === 0 ? [] : ['--no-kernels']),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench process for ${backend} exited with code ${code}`));
      resolvePromise(JSON.parse(out.trim().split('\n').at(-1)!) as RunRecord);
    });
  });
}

function readPlan(args: string[]): Plan & { child: boolean; out?: string } {
  const f = parse(args, {
    model: { type: 'string' },
    size: { type: 'string' },
    backends: { type: 'string' },
    backend: { type: 'string' },
    repeats: { type: 'string' },
    warmup: { type: 'string' },
    positions: { type: 'string' },
    processes: { type: 'string' },
    child: { type: 'boolean' },
    'no-kernels': { type: 'boolean' },
    out: { type: 'string' },
    static: { type: 'boolean' },
  });
  let size: ModelSize;
  try {
    size = parseSize(str(f.size) ?? 'austen');
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
  const backends = (str(f.backends) ?? str(f.backend) ?? 'cpu,wasm').split(',').map((b) => b.trim());
  for (const b of backends) if (!BACKENDS.includes(b)) throw new UsageError(`--backends takes ${BACKENDS.join(', ')}, got "${b}"`);
  const blockSize = SIZE_PRESETS[size].config?.blockSize ?? 256;
  const positions = str(f.positions)
    ? str(f.positions)!
        .split(',')
        .map((p) => num('positions', p, 0, { int: true, min: 1, max: blockSize }))
    : defaultPositions(blockSize);
  return {
    size,
    model: str(f.model) ?? 'austen',
    backends,
    positions,
    warmup: num('warmup', str(f.warmup), MIN_WARMUP, { int: true, min: 0 }),
    repeats: num('repeats', str(f.repeats), MIN_REPEATS, { int: true, min: 1 }),
    processes: num('processes', str(f.processes), 3, { int: true, min: 1 }),
    kernels: !f['no-kernels'],
    static: !!f.static,
    child: !!f.child,
    out: str(f.out),
  };
}

export async function runBench(args: string[]): Promise<void> {
  const plan = readPlan(args);
  if (plan.child) return runChild(plan);
  const source = await modelSource(plan.size, plan.model);
  const c = source.config;
  if (plan.warmup < MIN_WARMUP || plan.repeats < MIN_REPEATS) {
    process.stderr.write(
      `kvlab: note: fewer than ${MIN_WARMUP} warm-ups or ${MIN_REPEATS} repeats — a quick look, not a measurement to quote\n`,
    );
  }
  // Each position's bound at the rate this machine reads that many bytes, probed before and after the
  // processes (the machine drifts over a long run; the bound keeps the faster).
  const sizes = plan.positions.map((P) => ({ position: P, bytes: stepBytes(c, P) }));
  const before = readBandwidths(21, sizes);
  process.stderr.write(`model: ${source.description}\n`);
  const runs: RunRecord[] = [];
  for (const b of plan.backends) {
    for (let i = 0; i < plan.processes; i++) {
      process.stderr.write(`${b}: process ${i + 1} of ${plan.processes}\n`);
      runs.push(await spawnChild(plan, b, i));
    }
  }
  // The fastest rate any probe saw: before, after, and each process's at the start of its rounds.
  const during = runs.flatMap((r) => (r.bandwidth ? [r.bandwidth] : []));
  const bandwidth = fastestOf([before, readBandwidths(21, sizes), ...during], RUN_PROBES);
  releaseProbeBuffer();
  const rows = buildRows(runs, c, plan.size, bandwidth);
  const flat = flatnessRows(rows);
  const machine = {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    tfjs: tf.version_core,
    date: new Date().toISOString(),
  };
  const results: BenchResults = {
    model: source.description,
    config: c,
    repeats: plan.repeats,
    machine,
    bandwidth,
    rows,
    size: plan.size,
    warmup: plan.warmup,
    processes: plan.processes,
    runUp: RUN_UP,
    ...(runs[0]?.clock ? { clock: runs[0].clock } : {}),
    flatness: flat,
  };
  const file = plan.out ?? join('bench', plan.size === 'austen' ? 'results.json' : `results-${plan.size}.json`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(
    `Model: ${source.description} — nLayer ${c.nLayer}, nHead ${c.nHead}, nKvHead ${c.nKvHead}, ` +
      `nEmbd ${c.nEmbd}, blockSize ${c.blockSize}, vocab ${c.vocabSize} (${countParams(c)} params)\n`,
  );
  process.stdout.write(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}, tfjs ${machine.tfjs}\n`);
  process.stdout.write(
    `Read bandwidth, position: rate (${bandwidth.method}): ${formatRates(bandwidth)}\n` +
      `${plan.processes} ` +
      `processes per backend, each ${plan.warmup} warm-up + ${plan.repeats} timed rounds, ` +
      `positions and naive/cached × reference/fast interleaved, each step after ${RUN_UP} untimed cached steps of its path and position ` +
      `(the weights where generation leaves them); medians (IQR) pooled over processes\n` +
      (plan.static
        ? "Path 'static' (wasm): the fast path's cached step with a static cache (the context reserved, each row written in " +
          "place) instead of the full cache (each step concatenates a new, one-row-longer copy); its naive step is the fast path's\n\n"
        : '\n'),
  );
  process.stdout.write(formatTable(rows) + '\n\n' + formatFlatness(flat) + `\n\nWrote ${file}\n`);
}
