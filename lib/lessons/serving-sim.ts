/**
 * A small LLM server for the "Serving many" and "Shared beginnings" lessons: sessions (a prompt and a
 * number of tokens) are admitted while the block pool has room, decode greedily one token per step
 * each, and give their blocks back when done. The block pool (block-pool.ts) does the paged
 * allocator's bookkeeping; the model really runs every session through lib/gpt with its own KV cache
 * value. A session may start from a shared prefix: its blocks point at the prefix's blocks, and its
 * cache continues the prefix's cache instead of reading the prefix again.
 *
 * Plain records out (`snapshot`), tensors inside; `dispose` frees every one of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { argmax, disposeCache, emptyCache, forward, type GPT, type KVCache, type Tokenizer } from '@/lib/gpt';
import { appendPositions, blocksNeeded, type BlockPool, type BlockTable, createPool, freeTable, OutOfBlocksError, poolStats, sharePrefix } from './block-pool';

export interface SessionView {
  id: number;
  prompt: string;
  /** Generated text so far. */
  text: string;
  promptTokens: number;
  generated: number;
  maxNewTokens: number;
  /** Positions it holds (prompt + generated tokens fed back). */
  length: number;
  blocks: number[];
  /** Positions of it read from a shared prefix (0 if none). */
  shared: number;
  done: boolean;
  /** ms of the first token: the (prefill) forward pass and its logits readback. */
  ttftMs: number;
  /** The generated token ids. */
  ids: number[];
}

export interface ServerView {
  blockSize: number;
  numBlocks: number;
  /** Per block: the sessions (ids) pointing at it; [] = free. A prefix's own blocks list −1. */
  owners: number[][];
  filled: number[];
  used: number;
  free: number;
  shared: number;
  /** Positions held in used blocks but not written yet (paged waste). */
  emptySlots: number;
  sessions: SessionView[];
  /** Copies made by copy-on-write so far. */
  copies: number;
}

interface Session {
  view: SessionView;
  table: BlockTable;
  cache: KVCache | null;
  next: number;
  /** The first token's logits, to compare a shared-prefix session with an unshared one. */
  firstLogits: Float32Array;
}

interface Prefix {
  text: string;
  ids: number[];
  table: BlockTable;
  cache: KVCache;
}

/** The prefix's id in `owners`. */
export const PREFIX_OWNER = -1;

async function pass(model: GPT, ids: readonly number[], cache: KVCache): Promise<{ cache: KVCache; logits: Float32Array; ms: number }> {
  const t0 = performance.now();
  const idx = tf.tensor2d([...ids], [1, ids.length], 'int32'); // [1, T]
  const out = forward(model, idx, cache, { logits: 'last' });
  idx.dispose();
  try {
    const logits = (await out.logits.data()) as Float32Array; // [V]
    return { cache: out.cache!, logits, ms: performance.now() - t0 };
  } finally {
    out.logits.dispose();
  }
}

export class Server {
  readonly pool: BlockPool;
  private sessions: Session[] = [];
  private prefix: Prefix | null = null;
  private nextId = 1;
  private copies = 0;

  constructor(
    private readonly model: GPT,
    private readonly tokenizer: Tokenizer,
    numBlocks: number,
    blockSize = 16,
  ) {
    this.pool = createPool(numBlocks, blockSize);
  }

  /** Reads `text` once into the pool and a cache that later sessions may start from. Replaces any earlier prefix. */
  async setPrefix(text: string): Promise<number> {
    this.clearPrefix();
    const ids = this.tokenizer.encode(text);
    if (ids.length === 0) throw new RangeError('the shared prefix is empty');
    const table: BlockTable = { blocks: [], length: 0 };
    appendPositions(this.pool, table, ids.length);
    try {
      const r = await pass(this.model, ids, emptyCache(this.model.config));
      this.prefix = { text, ids, table, cache: r.cache };
      return r.ms;
    } catch (err) {
      freeTable(this.pool, table);
      throw err;
    }
  }

  clearPrefix(): void {
    if (!this.prefix) return;
    freeTable(this.pool, this.prefix.table);
    disposeCache(this.prefix.cache);
    this.prefix = null;
  }

  get prefixTokens(): number {
    return this.prefix?.ids.length ?? 0;
  }

  /**
   * Admits a session and reads its prompt (the prefill; the first token comes out of it). With
   * `usePrefix` the session starts from the shared prefix: only `prompt` is read, after it. Throws
   * OutOfBlocksError, admitting nothing, when the pool cannot hold the prompt.
   */
  async admit(prompt: string, maxNewTokens: number, usePrefix = false): Promise<SessionView> {
    const c = this.model.config;
    if (usePrefix && !this.prefix) throw new RangeError('no shared prefix has been read');
    const own = this.tokenizer.encode(prompt);
    const base = usePrefix ? this.prefix! : null;
    const ids = own;
    const total = (base?.ids.length ?? 0) + ids.length;
    if (ids.length === 0) throw new RangeError('the prompt is empty');
    if (total + maxNewTokens - 1 > c.blockSize) throw new RangeError(`${total} prompt positions + ${maxNewTokens} tokens exceed the context of ${c.blockSize}`);
    const table = base ? sharePrefix(this.pool, base.table) : { blocks: [], length: 0 };
    try {
      if (blocksNeeded(this.pool, table, ids.length) > this.pool.free.length) {
        throw new OutOfBlocksError(`session needs ${blocksNeeded(this.pool, table, ids.length)} blocks; ${this.pool.free.length} are free`);
      }
      this.copies += appendPositions(this.pool, table, ids.length).length;
    } catch (err) {
      freeTable(this.pool, table);
      throw err;
    }
    const r = await pass(this.model, ids, base ? base.cache : emptyCache(c));
    const next = argmax(r.logits);
    const view: SessionView = {
      id: this.nextId++,
      prompt: base ? base.text + prompt : prompt,
      text: this.tokenizer.decode([next]),
      promptTokens: total,
      generated: 1,
      maxNewTokens,
      length: total,
      blocks: [...table.blocks],
      shared: base?.ids.length ?? 0,
      done: maxNewTokens <= 1,
      ttftMs: r.ms,
      ids: [next],
    };
    const s: Session = { view, table, cache: r.cache, next, firstLogits: r.logits };
    this.sessions.push(s);
    if (view.done) this.finish(s);
    return { ...view };
  }

  /**
   * One decode step for every running session: feed back its last token, read the next. A session
   * that cannot get a block waits (it is skipped this step). Returns the sessions that advanced.
   */
  async step(between?: () => Promise<void>): Promise<number> {
    let advanced = 0;
    for (const s of this.sessions) {
      if (s.view.done || !s.cache) continue;
      if (blocksNeeded(this.pool, s.table, 1) > this.pool.free.length) continue;
      this.copies += appendPositions(this.pool, s.table, 1).length;
      const r = await pass(this.model, [s.next], s.cache);
      if (s.cache !== this.prefix?.cache) disposeCache(s.cache);
      s.cache = r.cache;
      s.next = argmax(r.logits);
      s.view = { ...s.view, text: s.view.text + this.tokenizer.decode([s.next]), generated: s.view.generated + 1, length: s.view.length + 1, blocks: [...s.table.blocks], ids: [...s.view.ids, s.next] };
      if (s.view.generated >= s.view.maxNewTokens) this.finish(s);
      advanced += 1;
      await between?.();
    }
    return advanced;
  }

  /** A finished session gives its blocks and cache back; its text stays on the record. */
  private finish(s: Session): void {
    s.view = { ...s.view, done: true, blocks: [...s.table.blocks] };
    freeTable(this.pool, s.table);
    if (s.cache !== this.prefix?.cache) disposeCache(s.cache);
    s.cache = null;
  }

  /** The logits that chose session `id`'s first token. */
  firstLogits(id: number): Float32Array | null {
    return this.sessions.find((s) => s.view.id === id)?.firstLogits ?? null;
  }

  get running(): number {
    return this.sessions.filter((s) => !s.view.done).length;
  }

  snapshot(): ServerView {
    const owners: number[][] = this.pool.refs.map(() => []);
    for (const b of this.prefix?.table.blocks ?? []) owners[b].push(PREFIX_OWNER);
    for (const s of this.sessions) if (!s.view.done) for (const b of s.table.blocks) owners[b].push(s.view.id);
    return {
      blockSize: this.pool.blockSize,
      numBlocks: this.pool.numBlocks,
      owners,
      filled: [...this.pool.filled],
      ...poolStats(this.pool),
      sessions: this.sessions.map((s) => ({ ...s.view, blocks: s.view.done ? s.view.blocks : [...s.table.blocks] })),
      copies: this.copies,
    };
  }

  /** Frees every cache and every block. Safe to call twice. */
  dispose(): void {
    for (const s of this.sessions) if (s.cache && s.cache !== this.prefix?.cache) disposeCache(s.cache);
    this.sessions = [];
    this.clearPrefix();
    this.pool.refs.fill(0);
    this.pool.filled.fill(0);
    this.pool.free.splice(0, this.pool.free.length, ...this.pool.refs.map((_, i) => i));
  }
}
