/**
 * How many sessions fit on one GPU: the same arithmetic the in-page server runs, at real scale.
 * Pure numbers (no tfjs), built on the project's one cache-size formula (cache-size.ts).
 *
 *   free memory        = GPU memory · utilization − weight bytes
 *   contiguous session = maxContext · bytesPerToken          (reserved up front, whatever it uses)
 *   paged session      = ⌈length / blockSize⌉ · blockSize · bytesPerToken   (blocks as it grows)
 *   sessions that fit  = ⌊free / per-session bytes⌋
 */
import { bytesPerToken, type CacheLayout, CacheSizeError, type Dtype } from './cache-size';

export interface ServingInput {
  /** What one token leaves in the cache (the model's layout) and the cache's precision. */
  layout: CacheLayout;
  kvDtype: Dtype;
  /** GPU memory in bytes. */
  gpuBytes: number;
  /**
   * Share of the GPU the server may use (vLLM's gpu_memory_utilization, 0.9 by default); the rest is
   * left for activations and the runtime.
   */
  utilization: number;
  /** Bytes of the model's weights on the GPU. */
  weightBytes: number;
  /** Positions a contiguous allocator reserves per session: the longest context it promises. */
  maxContext: number;
  /** Positions a session really holds on average (prompt + generated), for the paged allocator. */
  meanLength: number;
  /** Positions per block of the paged allocator (vLLM's default 16). */
  blockSize: number;
}

export interface ServingResult {
  bytesPerToken: number;
  /** Memory left for the cache; ≤ 0 means the weights alone do not fit. */
  freeBytes: number;
  contiguous: { bytesPerSession: number; sessions: number; usedShare: number };
  paged: { blocksPerSession: number; bytesPerSession: number; sessions: number; usedShare: number };
  /** paged.sessions / contiguous.sessions (NaN when neither fits one). */
  ratio: number;
  /** The arithmetic with the numbers in, one line each. */
  lines: string[];
}

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
const gb = (v: number) => `${(v / 1e9).toLocaleString('en-US', { maximumFractionDigits: 2 })} GB`;

function check(name: string, v: number, ok: boolean): void {
  if (!Number.isFinite(v) || !ok) throw new CacheSizeError(`${name} is out of range: ${v}`);
}

/** Sessions that fit under a contiguous max-context reservation and under paged allocation, with the arithmetic shown. */
export function servingCapacity(input: ServingInput): ServingResult {
  const { layout, kvDtype, gpuBytes, utilization, weightBytes, maxContext, meanLength, blockSize } = input;
  check('GPU memory', gpuBytes, gpuBytes > 0);
  check('utilization', utilization, utilization > 0 && utilization <= 1);
  check('weight bytes', weightBytes, weightBytes >= 0);
  check('max context', maxContext, Number.isInteger(maxContext) && maxContext >= 1);
  check('block size', blockSize, Number.isInteger(blockSize) && blockSize >= 1);
  check('mean length', meanLength, meanLength >= 1 && meanLength <= maxContext);
  const b = bytesPerToken(layout, kvDtype);
  const free = gpuBytes * utilization - weightBytes;
  const fit = (per: number) => (free > 0 ? Math.floor(free / per) : 0);
  const contBytes = maxContext * b;
  const blocks = Math.ceil(meanLength / blockSize);
  const pagedBytes = blocks * blockSize * b;
  const contiguous = { bytesPerSession: contBytes, sessions: fit(contBytes), usedShare: meanLength / maxContext };
  const paged = {
    blocksPerSession: blocks,
    bytesPerSession: pagedBytes,
    sessions: fit(pagedBytes),
    usedShare: meanLength / (blocks * blockSize),
  };
  return {
    bytesPerToken: b,
    freeBytes: free,
    contiguous,
    paged,
    ratio: contiguous.sessions > 0 ? paged.sessions / contiguous.sessions : NaN,
    lines: [
      `free = ${gb(gpuBytes)} · ${utilization} − ${gb(weightBytes)} weights = ${gb(free)}`,
      `contiguous: ${n(maxContext)} positions · ${n(b)} bytes = ${gb(contBytes)} per session → ` +
        `⌊${gb(free)} / ${gb(contBytes)}⌋ = ${contiguous.sessions}`,
      `paged: ⌈${n(meanLength)} / ${blockSize}⌉ = ${blocks} blocks · ${blockSize} · ${n(b)} bytes = ` +
        `${gb(pagedBytes)} per session → ⌊${gb(free)} / ${gb(pagedBytes)}⌋ = ${paged.sessions}`,
    ],
  };
}

/** What a quoted "A sessions with contiguous reservation → B with paging" claim implies, given the reservation. */
export interface ClaimReading {
  ratio: number;
  /** Mean session length as a share of the reservation that makes paged/contiguous = ratio (block rounding ignored). */
  impliedUsedShare: number;
  /** The same in positions, for `maxContext`. */
  impliedMeanLength: number;
  /** The cache memory that gives exactly `contiguous` reserved sessions: [low, high) bytes. */
  impliedFreeBytes: [number, number];
}

/**
 * Reads a claim of `contiguous` → `paged` sessions per GPU backwards. A paged allocator wastes less
 * than one block per session, so paged/contiguous ≈ maxContext / mean length: the claim fixes how full
 * its sessions were. With the model's bytes per token and the reservation it also fixes the free memory.
 */
export function readClaim(contiguous: number, paged: number, maxContext: number, bytesPerTokenValue: number): ClaimReading {
  check('contiguous sessions', contiguous, Number.isInteger(contiguous) && contiguous >= 1);
  check('paged sessions', paged, Number.isInteger(paged) && paged >= contiguous);
  const ratio = paged / contiguous;
  const per = maxContext * bytesPerTokenValue;
  return {
    ratio,
    impliedUsedShare: 1 / ratio,
    impliedMeanLength: maxContext / ratio,
    impliedFreeBytes: [contiguous * per, (contiguous + 1) * per],
  };
}

/** Llama 3.1 70B's parameter count (70.6 billion, from its model card), for the weight bytes. */
export const LLAMA_70B_PARAMS = 70.6e9;

/** The prefix's id in `owners`. */
export const PREFIX_OWNER = -1;
