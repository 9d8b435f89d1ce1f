/**
 * The "Shared beginnings" measurement: the same sessions served twice, once with a shared prefix
 * read once and pointed at by every session, once with each session reading the whole prompt. Time
 * to first token, blocks in use, and proof that both give the same continuations. Plain records out.
 */
import type { GPT, Tokenizer } from '@/lib/gpt';
import { maxAbsDifference, median } from '@/lib/stats';
import { Server, type ServerView } from './serving-sim';

export interface PrefixRow {
  ask: string;
  /** Time to first token: the prefill pass and its logits readback (ms). */
  sharedMs: number;
  plainMs: number;
  /** Positions each prefill read. */
  sharedRead: number;
  plainRead: number;
  sameTokens: boolean;
  /** max |Δ| between the two runs' first-token logits. */
  logitsDelta: number;
  text: string;
}

export interface PrefixComparison {
  prefixTokens: number;
  /** The prefix's own one-time prefill (ms). */
  prefixMs: number;
  rows: PrefixRow[];
  medianSharedMs: number;
  medianPlainMs: number;
  /** Blocks in use once every session has been admitted (before any finished). */
  sharedBlocks: number;
  plainBlocks: number;
  copies: number;
  /** The shared pool as it was then, for the block view. */
  sharedView: ServerView;
  plainView: ServerView;
}

/**
 * Serves `asks` after `system` twice on pools of `numBlocks` blocks: shared (the prefix read once)
 * and plain (each session reads system + ask). One untimed warm-up session first, so neither side
 * pays for compiling kernels; the two sides alternate per session. Frees every tensor.
 */
export async function comparePrefixSharing(
  model: GPT,
  tokenizer: Tokenizer,
  system: string,
  asks: readonly string[],
  newTokens: number,
  opts: { numBlocks?: number; between?: () => Promise<void> } = {},
): Promise<PrefixComparison> {
  const numBlocks = opts.numBlocks ?? 64;
  const shared = new Server(model, tokenizer, numBlocks);
  const plain = new Server(model, tokenizer, numBlocks);
  const warm = new Server(model, tokenizer, numBlocks);
  try {
    const systemIds = tokenizer.encode(system);
    // The unshared run reads the same token ids (system's, then the ask's) that the shared run sees.
    const joined = (ask: string) => [...systemIds, ...tokenizer.encode(ask)];
    await warm.admit(joined(asks[0]), 2);
    await warm.step();
    const prefixMs = await shared.setPrefix(system);
    const pairs = [];
    for (const ask of asks) {
      const p = await plain.admit(joined(ask), newTokens);
      const s = await shared.admit(ask, newTokens, true);
      pairs.push({ ask, s, p });
      await opts.between?.();
    }
    const sharedView = shared.snapshot();
    const plainView = plain.snapshot();
    for (const server of [shared, plain]) while (server.running > 0 && (await server.step(opts.between)) > 0);
    const sEnd = shared.snapshot().sessions;
    const pEnd = plain.snapshot().sessions;
    const rows = pairs.map(({ ask, s, p }, i): PrefixRow => ({
      ask,
      sharedMs: s.ttftMs,
      plainMs: p.ttftMs,
      sharedRead: s.promptTokens - s.shared,
      plainRead: p.promptTokens,
      sameTokens: sEnd[i].ids.length === pEnd[i].ids.length && sEnd[i].ids.every((id, j) => id === pEnd[i].ids[j]),
      logitsDelta: maxAbsDifference(shared.firstLogits(s.id)!, plain.firstLogits(p.id)!),
      text: sEnd[i].text,
    }));
    return {
      prefixTokens: shared.prefixTokens,
      prefixMs,
      rows,
      medianSharedMs: median(rows.map((r) => r.sharedMs)),
      medianPlainMs: median(rows.map((r) => r.plainMs)),
      sharedBlocks: sharedView.used,
      plainBlocks: plainView.used,
      copies: shared.snapshot().copies,
      sharedView,
      plainView,
    };
  } finally {
    shared.dispose();
    plain.dispose();
    warm.dispose();
  }
}
