/**
 * Reads model.json's weights manifest and checks everything the loader will trust: the structure, each
 * tensor's name, shape and dtype, and each path. tfjs's own decoder checks none of it (a dtype "int32"
 * decodes to integers that turn every logit into NaN; a null entry is a TypeError; a path may walk out
 * of the model folder), so nothing reaches it unchecked.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { DtypeError, ManifestError, ManifestPathError, NonFiniteWeightsError, REEXPORT_HINT, ShapeError } from './model-errors';

export interface Manifest {
  /** Weights files, relative to the model folder, in the order their bytes are concatenated. */
  paths: string[];
  /** One entry per tensor, in byte order; float16 is always spelled as tfjs's quantization entry. */
  entries: tf.io.WeightsManifestEntry[];
  /** float16 if any tensor is stored as half precision. */
  storage: 'float32' | 'float16';
  /** Bytes the entries describe: the elements times 4 (float32) or 2 (float16). */
  bytes: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/**
 * A path segment: letters, digits, `.`, `_`, `-`, and not `.` or `..`. No `%` (URLs decode `%2e%2e` to
 * `..`), no `:` (a URL scheme), no `\`, no leading `/`: the file must be inside the model folder.
 */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;
export function isSafePath(path: string): boolean {
  const parts = path.split('/');
  return path.length > 0 && parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..');
}

function checkPath(path: unknown, where: string): string {
  if (typeof path !== 'string') throw new ManifestError(`model.json: ${where} is ${show(path)}, not a file name. ${REEXPORT_HINT}`);
  if (!isSafePath(path)) {
    throw new ManifestPathError(
      `model.json: weights path ${show(path)} is not a file inside the model folder; a path must be a plain relative ` +
        `name like "group1-shard1of1.bin" (letters, digits, . _ -, no ".." or "/" at the start). ${REEXPORT_HINT}`,
    );
  }
  return path;
}

/** Reads dtype and quantization; returns float32 or float16 storage, else a DtypeError. */
function storageOf(e: Record<string, unknown>, name: string): 'float32' | 'float16' {
  const q = e.quantization;
  const qDtype = isObject(q) ? q.dtype : q;
  if (e.dtype === 'float16' && q === undefined) return 'float16';
  if (e.dtype === 'float32' && q === undefined) return 'float32';
  if (e.dtype === 'float32' && qDtype === 'float16') return 'float16';
  const what = q === undefined ? `dtype ${show(e.dtype)}` : `dtype ${show(e.dtype)} quantized as ${show(qDtype)}`;
  throw new DtypeError(`model.json: tensor "${name}" has ${what}; this lab reads float32 or float16 weights only. ${REEXPORT_HINT}`);
}

function checkShape(shape: unknown, name: string): number[] {
  const ok = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
  if (!ok) {
    throw new ShapeError(
      `model.json: tensor "${name}" has shape ${show(shape)}, which is not a list of non-negative ` +
        `integers (like [768, 128]). ${REEXPORT_HINT}`,
    );
  }
  return shape as number[];
}

type Entry = { entry: tf.io.WeightsManifestEntry; storage: 'float32' | 'float16' };

function readEntry(e: unknown, where: string, seen: Set<string>): Entry {
  if (!isObject(e))
    throw new ManifestError(`model.json: ${where} is ${show(e)}, not a tensor entry { name, shape, dtype }. ${REEXPORT_HINT}`);
  if (typeof e.name !== 'string' || e.name === '') {
    throw new ManifestError(
      `model.json: ${where} has name ${show(e.name)}; each tensor needs its GPT-2 name, like "wte.weight". ${REEXPORT_HINT}`,
    );
  }
  if (seen.has(e.name)) throw new ManifestError(`model.json: tensor "${e.name}" is listed twice. ${REEXPORT_HINT}`);
  seen.add(e.name);
  const shape = checkShape(e.shape, e.name);
  const storage = storageOf(e, e.name);
  const entry: tf.io.WeightsManifestEntry =
    storage === 'float16'
      ? { name: e.name, shape, dtype: 'float32', quantization: { dtype: 'float16' } }
      : { name: e.name, shape, dtype: 'float32' };
  return { entry, storage };
}

/** Checks model.json (already parsed) and returns its paths and entries; throws the first problem found. */
export function readManifest(json: unknown): Manifest {
  const groups = isObject(json) ? json.weightsManifest : undefined;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new ManifestError(`model.json has no "weightsManifest" list, so it is not a tfjs weights manifest. ${REEXPORT_HINT}`);
  }
  const paths: string[] = [];
  const entries: Entry[] = [];
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const where = `weightsManifest[${i}]`;
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new ManifestError(`model.json: ${where} is ${show(g)}, not a group { paths: [...], weights: [...] }. ${REEXPORT_HINT}`);
    }
    g.paths.forEach((p, k) => paths.push(checkPath(p, `${where}.paths[${k}]`)));
    g.weights.forEach((e, k) => entries.push(readEntry(e, `${where}.weights[${k}]`, seen)));
  });
  const bytes = entries.reduce((n, e) => n + e.entry.shape.reduce((a, b) => a * b, 1) * (e.storage === 'float16' ? 2 : 4), 0);
  const storage = entries.some((e) => e.storage === 'float16') ? 'float16' : 'float32';
  return { paths, entries: entries.map((e) => e.entry), storage, bytes };
}

/**
 * Throws NonFiniteWeightsError naming the first tensor that holds NaN or ±Infinity in `bytes` (the
 * weights files joined, in manifest order). One pass over the bytes before they become tensors.
 */
export function checkFiniteWeights(m: Manifest, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  for (const e of m.entries) {
    const half = e.quantization?.dtype === 'float16';
    const n = e.shape.reduce((a, b) => a * b, 1);
    const bad = half ? firstNonFiniteHalf(view, off, n) : firstNonFiniteFloat(bytes, off, n);
    if (bad >= 0) {
      const value = half ? 'NaN or Infinity' : String(view.getFloat32(off + 4 * bad, true));
      throw new NonFiniteWeightsError(
        `${m.paths.join(', ')}: tensor "${e.name}" holds ${value} (element ${bad}), so the weights file is damaged. ${REEXPORT_HINT}`,
      );
    }
    off += n * (half ? 2 : 4);
  }
}

/** Index of the first half whose exponent bits are all ones (±Infinity or NaN), or -1. */
function firstNonFiniteHalf(view: DataView, off: number, n: number): number {
  for (let i = 0; i < n; i++) if ((view.getUint16(off + 2 * i, true) & 0x7c00) === 0x7c00) return i;
  return -1;
}

/** Index of the first non-finite float32, or -1 (a copy when a half-precision tensor before it left the offset unaligned). */
function firstNonFiniteFloat(bytes: Uint8Array, off: number, n: number): number {
  const aligned = (bytes.byteOffset + off) % 4 === 0;
  const f = aligned ? new Float32Array(bytes.buffer, bytes.byteOffset + off, n) : new Float32Array(bytes.slice(off, off + 4 * n).buffer);
  for (let i = 0; i < n; i++) if (!Number.isFinite(f[i])) return i;
  return -1;
}
