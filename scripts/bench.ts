/**
 * `kvlab bench`: how long one decode step takes with and without the KV cache, in Node, per backend.
 *
 * For each position P: a naive step = forward over P tokens (logits 'last') + awaited readback; a
 * cached step = forward of 1 token against a cache of P−1 positions + awaited readback. Each is
 * warmed up, then repeated; we report medians. The cached step's memory-bandwidth bound is the time
 * to read every weight and the cache once at the measured copy bandwidth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fromHFConfig, type GPTConfig } from '../lib/gpt/config';
import { forward, type GPT } from '../lib/gpt/forward';
import { cacheBytesFor, disposeCache, emptyCache, type KVCache } from '../lib/gpt/kvcache';
import { loadModelDir } from '../lib/gpt/node-io';
import { median } from '../lib/stats';
import { countParams, disposeWeights, initWeights } from '../lib/gpt/params';
import { num, parse, str, UsageError } from './cli-args';

/** The shape the shipped Austen model is planned to have, used when public/models/<name>/ is absent. */
const PLANNED: GPTConfig = { nLayer: 4, nHead: 4, nKvHead: 4, nEmbd: 128, blockSize: 256, vocabSize: 768 };
const WARMUP = 2;
const COPY_BYTES = 64 * 2 ** 20;


async function timeIt(repeats: number, fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Copy bandwidth from a JS Float32Array.set of 64 MB, counting bytes read + written (STREAM's convention). */
function copyBandwidth(repeats: number): number {
  const src = new Float32Array(COPY_BYTES / 4).fill(1);
  const dst = new Float32Array(COPY_BYTES / 4);
  const ms: number[] = [];
  for (let i = 0; i < repeats + WARMUP; i++) {
    const t0 = performance.now();
    dst.set(src);
    if (i >= WARMUP) ms.push(performance.now() - t0);
  }
  return (2 * COPY_BYTES) / (median(ms) / 1000); // bytes per second
}

const randomIds = (n: number, V: number) => Array.from({ length: n }, (_, i) => (i * 2654435761) % V);

async function naiveStep(model: GPT, ids: number[]): Promise<void> {
  const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
  const out = forward(model, idx, null, { logits: 'last' });
  await out.logits.data();
  tf.dispose([idx, out.logits]);
}

async function cachedStep(model: GPT, id: number, cache: KVCache): Promise<void> {
  const idx = tf.tensor2d([id], [1, 1], 'int32');
  const out = forward(model, idx, cache, { logits: 'last' });
  await out.logits.data();
  tf.dispose([idx, out.logits]);
  disposeCache(out.cache); // the base cache (P−1 positions) is reused by every repeat
}

async function prefill(model: GPT, ids: number[]): Promise<KVCache> {
  const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
  const out = forward(model, idx, emptyCache(model.config), { logits: 'last' });
  tf.dispose([idx, out.logits]);
  return out.cache!;
}

interface Row {
  backend: string;
  position: number;
  naiveMs: number;
  cachedMs: number;
  speedup: number;
  cachedTokPerS: number;
  boundMs: number;
  share: number;
}

async function benchBackend(backend: string, source: ModelSource, positions: number[], repeats: number, bw: number) {
  if (!(await tf.setBackend(backend))) throw new UsageError(`backend "${backend}" is not available here`);
  await tf.ready();
  const model = await source.load();
  const c = model.config;
  const weightBytes = countParams(c) * 4;
  const rows: Row[] = [];
  for (const P of positions) {
    const ids = randomIds(P, c.vocabSize);
    const naiveMs = await timeIt(repeats, () => naiveStep(model, ids));
    const cache = await prefill(model, ids.slice(0, P - 1));
    const cachedMs = await timeIt(repeats, () => cachedStep(model, ids[P - 1], cache));
    disposeCache(cache);
    const boundMs = ((weightBytes + cacheBytesFor(c, P)) / bw) * 1000;
    rows.push({ backend, position: P, naiveMs, cachedMs, speedup: naiveMs / cachedMs, cachedTokPerS: 1000 / cachedMs, boundMs, share: boundMs / cachedMs });
    process.stderr.write(`  ${backend} P=${P}: naive ${naiveMs.toFixed(2)} ms, cached ${cachedMs.toFixed(2)} ms\n`);
  }
  disposeWeights(model.weights);
  return rows;
}

interface ModelSource {
  description: string;
  config: GPTConfig;
  load(): Promise<GPT>;
}

async function modelSource(name: string): Promise<ModelSource> {
  const dir = resolve('public', 'models', name);
  const configPath = join(dir, 'config.json');
  if (existsSync(join(dir, 'model.json'))) {
    // Weights load per backend, after it is selected (tensors need a ready backend).
    const config = fromHFConfig(JSON.parse(await readFile(configPath, 'utf8')));
    return { description: `trained model public/models/${name}/`, config, load: async () => (await loadModelDir(dir)).model };
  }
  const config = existsSync(configPath) ? fromHFConfig(JSON.parse(await readFile(configPath, 'utf8'))) : PLANNED;
  const from = existsSync(configPath) ? `the shape of public/models/${name}/config.json` : 'the planned Austen shape';
  return { description: `randomly initialised model (no weights at public/models/${name}/), ${from}`, config, load: async () => ({ config, weights: initWeights(config, 0) }) };
}

function defaultPositions(blockSize: number): number[] {
  const ps: number[] = [];
  for (let p = 16; p < blockSize - 1; p *= 2) ps.push(p);
  return [...ps, blockSize - 1];
}

const f2 = (x: number) => x.toFixed(2);

function table(rows: Row[]): string {
  const head = '| backend | position | naive ms | cached ms | speedup | cached tok/s | bandwidth-bound ms | share of bound |';
  const lines = rows.map(
    (r) => `| ${r.backend} | ${r.position} | ${f2(r.naiveMs)} | ${f2(r.cachedMs)} | ${r.speedup.toFixed(1)}× | ${r.cachedTokPerS.toFixed(0)} | ${r.boundMs.toFixed(3)} | ${(r.share * 100).toFixed(1)}% |`,
  );
  return [head, '|---|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n');
}

export async function runBench(args: string[]): Promise<void> {
  const f = parse(args, { model: { type: 'string' }, backends: { type: 'string' }, repeats: { type: 'string' }, positions: { type: 'string' } });
  const repeats = num('repeats', str(f.repeats), 7, { int: true, min: 1 });
  const backends = (str(f.backends) ?? 'cpu,wasm').split(',').map((b) => b.trim());
  for (const b of backends) if (b !== 'cpu' && b !== 'wasm') throw new UsageError(`--backends takes cpu and/or wasm, got "${b}"`);
  const source = await modelSource(str(f.model) ?? 'austen');
  const c = source.config;
  const positions = str(f.positions)
    ? str(f.positions)!.split(',').map((p) => num('positions', p, 0, { int: true, min: 1, max: c.blockSize }))
    : defaultPositions(c.blockSize);
  const bw = copyBandwidth(repeats);
  process.stderr.write(`model: ${source.description}\n`);
  const rows: Row[] = [];
  for (const b of backends) rows.push(...(await benchBackend(b, source, positions, repeats, bw)));
  const machine = {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    tfjs: tf.version_core,
    date: new Date().toISOString(),
  };
  const bandwidth = { method: 'JS Float32Array.set of 64 MB, median; bytes read + written', bytesPerSecond: bw };
  await mkdir('bench', { recursive: true });
  await writeFile(join('bench', 'results.json'), JSON.stringify({ model: source.description, config: c, repeats, machine, bandwidth, rows }, null, 2) + '\n');
  process.stdout.write(`Model: ${source.description} — nLayer ${c.nLayer}, nHead ${c.nHead}, nKvHead ${c.nKvHead}, nEmbd ${c.nEmbd}, blockSize ${c.blockSize}, vocab ${c.vocabSize} (${countParams(c)} params)\n`);
  process.stdout.write(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}, tfjs ${machine.tfjs}\n`);
  process.stdout.write(`Copy bandwidth: ${(bw / 1e9).toFixed(2)} GB/s (${bandwidth.method}); medians of ${repeats} after ${WARMUP} warm-ups\n\n`);
  process.stdout.write(table(rows) + '\n\nWrote bench/results.json\n');
}
