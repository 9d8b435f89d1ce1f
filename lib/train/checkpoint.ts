import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from '../gpt/config';
import { paramSpecs } from '../gpt/params';
import type { AdamWState } from './adamw';

/** What a checkpoint says about itself (checkpoint.json); the tensors sit beside it in .bin files. */
export interface CheckpointMeta {
  name: string;
  step: number;
  config: GPTConfig;
  /** Training seconds spent so far, across resumes. */
  elapsedSeconds: number;
  tokensSeen: number;
}

/** Float32 arrays of every parameter, in GPT-2 order, concatenated. */
async function packed(specs: { name: string }[], tensors: Record<string, tf.Tensor>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const { name } of specs) {
    const data = (await tensors[name].data()) as Float32Array;
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return Buffer.concat(parts);
}

function unpack(buf: Buffer, config: GPTConfig): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let offset = 0;
  for (const { name, shape } of paramSpecs(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    out.set(name, new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + n * 4)));
    offset += n * 4;
  }
  if (offset !== buf.length) throw new Error(`checkpoint holds ${buf.length} bytes, config expects ${offset}`);
  return out;
}

/** Writes weights, Adam moments and meta to `dir`, replacing the files only once all are written. */
export async function saveCheckpoint(
  dir: string,
  meta: CheckpointMeta,
  weights: Record<string, tf.Tensor>,
  adam: AdamWState | null,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const specs = paramSpecs(meta.config);
  const files: [string, Buffer | string][] = [['weights.bin', await packed(specs, weights)]];
  if (adam) {
    files.push(['adam-m.bin', await packed(specs, adam.m)], ['adam-v.bin', await packed(specs, adam.v)]);
  }
  files.push(['checkpoint.json', JSON.stringify({ ...meta, adamStep: adam?.step ?? null }, null, 2)]);
  for (const [file, data] of files) fs.writeFileSync(path.join(dir, `${file}.tmp`), data);
  for (const [file] of files) fs.renameSync(path.join(dir, `${file}.tmp`), path.join(dir, file));
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta & { adamStep: number | null };
  weights: Map<string, Float32Array>;
  adam: { m: Map<string, Float32Array>; v: Map<string, Float32Array> } | null;
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const metaFile = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(metaFile)) throw new Error(`no checkpoint at ${dir} (missing checkpoint.json)`);
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as LoadedCheckpoint['meta'];
  const weights = unpack(fs.readFileSync(path.join(dir, 'weights.bin')), meta.config);
  const hasAdam = fs.existsSync(path.join(dir, 'adam-m.bin'));
  const adam = hasAdam
    ? {
        m: unpack(fs.readFileSync(path.join(dir, 'adam-m.bin')), meta.config),
        v: unpack(fs.readFileSync(path.join(dir, 'adam-v.bin')), meta.config),
      }
    : null;
  return { meta, weights, adam };
}
