import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from './forward';
import { fitPrompt, type GenerateOptions, type StepRecord } from './generate';
import { addSequence, createPagedCache, disposePaged, forwardPaged, type PagedCache, poolStats, type SeqId } from './kvcache-paged';
import { createRng } from './random';
import { sampleToken } from './sample';
import type { Tokenizer } from './tokenizer';

/**
 * Generation for several prompts through one paged cache: each prompt is prefilled on its own, then
 * every unfinished sequence decodes one token per step in a single batched forward pass. With one
 * prompt it picks the same tokens as `generateCached` (same sampling, same seed).
 */

export interface PagedGenerateOptions extends Omit<GenerateOptions, 'traceStep' | 'cacheKind' | 'policy'> {
  /** Positions per block (default 16). */
  blockSize?: number;
  /** Blocks in the pool (default: enough for every prompt to fill the context). */
  numBlocks?: number;
}

/** A step of one sequence; `ms` is the whole batched pass's time, shared by the batch. */
export interface PagedStepRecord extends Omit<StepRecord, 'cache' | 'trace'> {
  /** Which prompt (its index) this token continues. */
  seq: number;
  /** The live paged cache after this step; valid until the next `next()` call. */
  paged: PagedCache;
}

/**
 * Yields one record per generated token, tagged with its prompt's index (`seq`): first each prompt's
 * prefill token, then, step by step, one token for every unfinished sequence from a batched pass.
 * The pool is freed when the generator finishes, breaks or throws.
 */
export async function* generatePaged(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: readonly (readonly number[])[],
  opts: PagedGenerateOptions,
): AsyncGenerator<PagedStepRecord> {
  const c = model.config;
  const bs = opts.blockSize ?? 16;
  let paged = createPagedCache(c, { blockSize: bs, numBlocks: opts.numBlocks ?? prompts.length * Math.ceil(c.blockSize / bs) });
  const seqs = prompts.map((p, i) => ({
    i,
    id: `s${i}` as SeqId,
    ids: fitPrompt(p, c).ids,
    step: 0,
    done: false,
    rng: createRng(opts.sampling.seed ?? 0),
  }));
  const pass = async (batch: typeof seqs, input: number[][]) => {
    const t0 = performance.now();
    const idx = tf.tensor2d(input, [batch.length, input[0].length], 'int32'); // [B, T]
    const out = forwardPaged(
      model,
      idx,
      paged,
      batch.map((s) => s.id),
      { logits: 'last' },
    );
    idx.dispose();
    disposePaged(paged);
    paged = out.cache!;
    const logits = (await out.logits.data()) as Float32Array; // [B·V]
    out.logits.dispose();
    return { logits, ms: performance.now() - t0 };
  };
  try {
    for (const s of seqs) paged = addSequence(paged, s.id);
    for (let round = 0; seqs.some((s) => !s.done); round++) {
      if (opts.signal?.aborted) return;
      // Round 0 prefills each prompt on its own (lengths differ); later rounds decode every live sequence at once.
      const batches = round === 0 ? seqs.map((s) => [s]) : [seqs.filter((s) => !s.done)];
      for (const batch of batches) {
        const r = await pass(
          batch,
          batch.map((s) => (round === 0 ? s.ids : s.ids.slice(-1))),
        );
        for (const [b, s] of batch.entries())
          yield record(s, r.logits.subarray(b * c.vocabSize, (b + 1) * c.vocabSize), r.ms, round === 0 ? s.ids.length : 1);
      }
    }
  } finally {
    disposePaged(paged);
  }

  function record(s: (typeof seqs)[number], logits: Float32Array, ms: number, processed: number): PagedStepRecord {
    const x = sampleToken(logits, opts.sampling, s.rng);
    s.ids.push(x.id);
    const last = s.step + 1 >= opts.maxNewTokens;
    const full = s.ids.length > c.blockSize;
    s.done = last || full;
    const stats = poolStats(paged);
    const mine = stats.sequences.find((q) => q.id === s.id)!;
    return {
      seq: s.i,
      step: s.step++,
      id: x.id,
      text: tokenizer.decode([x.id]),
      prob: x.prob,
      rawProb: x.rawProb,
      ms,
      processed,
      cacheLength: mine.length,
      cacheBytes: mine.table.length * bs * stats.bytesPerPosition, // the blocks this sequence holds, partial last block included
      ...(opts.returnLogits ? { logits: Float32Array.from(logits) } : {}),
      ...(last ? { stopReason: 'maxTokens' as const } : full ? { stopReason: 'blockSize' as const } : {}),
      paged,
    };
  }
}
