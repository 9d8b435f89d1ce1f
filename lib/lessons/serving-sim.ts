/**
 * A small LLM server for the "Serving many" and "Shared beginnings" lessons, on lib/gpt's paged
 * cache (kvcache-paged.ts): sessions (a prompt and a number of tokens) are admitted while the block
 * pool has room, and every step decodes one token for all running sessions in one batched forward
 * pass, each through its own block table. A finished session frees its blocks. A session may start
 * from a shared prefix: its table is forked from the prefix's (reference counts, copy-on-write at the
 * first write into a shared block), and its prefill reads only its own tokens.
 *
 * Plain records out (`snapshot`), tensors inside; `dispose` frees every one of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  addSequence,
  argmax,
  createPagedCache,
  disposePaged,
  forkSequence,
  forwardPaged,
  freeSequence,
  type GPT,
  type PagedCache,
  type SeqId,
  type Tokenizer,
} from '@/lib/gpt';

/** The pool has too few free blocks for what was asked (a session's prompt, the prefix): nothing was admitted. */
export class OutOfBlocksError extends Error {
  override name = 'OutOfBlocksError';
}

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
  seq: SeqId;
  next: number;
  /** The first token's logits, to compare a shared-prefix session with an unshared one. */
  firstLogits: Float32Array;
}

export { PREFIX_OWNER } from './serving';
import { PREFIX_OWNER } from './serving';
const PREFIX: SeqId = 'prefix';

export class Server {
  private paged: PagedCache;
  private sessions: Session[] = [];
  private prefix: { text: string; ids: number[] } | null = null;
  private nextId = 1;
  private copies = 0;
  private disposed = false;

  constructor(
    private readonly model: GPT,
    private readonly tokenizer: Tokenizer,
    numBlocks: number,
    blockSize = 16,
  ) {
    this.paged = createPagedCache(model.config, { numBlocks, blockSize });
  }

  /** Blocks writing `n` more positions to `seq` takes from the pool: new blocks, plus one copy if it writes into a shared block. */
  private blocksNeeded(seq: SeqId, n: number): number {
    const { table, length } = this.paged.seqs[seq];
    return Math.max(0, Math.ceil((length + n) / this.paged.blockSize) - table.length) + this.copyOnWrite(seq);
  }

  /** 1 when the next write to `seq` lands in a partly filled block another table shares (the engine copies it first). */
  private copyOnWrite(seq: SeqId): number {
    const { table, length } = this.paged.seqs[seq];
    return length % this.paged.blockSize !== 0 && this.paged.refCount[table[table.length - 1]] > 1 ? 1 : 0;
  }

  private get freeBlocks(): number {
    return this.paged.refCount.filter((r) => r === 0).length;
  }

  /** One forward pass of `input` [B][T] for the sequences `seqs`; the old pool is freed at once. Logits [B·V]. */
  private async pass(seqs: SeqId[], input: number[][]): Promise<{ logits: Float32Array; ms: number }> {
    for (const id of seqs) this.copies += this.copyOnWrite(id);
    const t0 = performance.now();
    const idx = tf.tensor2d(input, [input.length, input[0].length], 'int32'); // [B, T]
    let out;
    try {
      out = forwardPaged(this.model, idx, this.paged, seqs, { logits: 'last' });
    } finally {
      idx.dispose();
    }
    disposePaged(this.paged);
    this.paged = out.cache!;
    try {
      const logits = (await out.logits.data()) as Float32Array; // [B·V]
      return { logits, ms: performance.now() - t0 };
    } finally {
      out.logits.dispose();
    }
  }

  /**
   * Reads `text` once into the pool; later sessions may fork from it. Replaces any earlier prefix.
   * Returns the prefill's ms. Sharing is by token ids, as in a real prefix cache: a forked session
   * reads the prefix's ids followed by its own, which need not be how the joined text would tokenize.
   */
  async setPrefix(text: string): Promise<number> {
    this.clearPrefix();
    const ids = this.tokenizer.encode(text);
    if (ids.length === 0) throw new RangeError('the shared prefix is empty');
    this.paged = addSequence(this.paged, PREFIX);
    if (this.blocksNeeded(PREFIX, ids.length) > this.freeBlocks) {
      this.paged = freeSequence(this.paged, PREFIX);
      throw new OutOfBlocksError(`the prefix needs ${Math.ceil(ids.length / this.paged.blockSize)} blocks; ${this.freeBlocks} are free`);
    }
    const r = await this.pass([PREFIX], [ids]);
    this.prefix = { text, ids };
    return r.ms;
  }

  clearPrefix(): void {
    if (!this.prefix) return;
    this.paged = freeSequence(this.paged, PREFIX);
    this.prefix = null;
  }

  get prefixTokens(): number {
    return this.prefix?.ids.length ?? 0;
  }

  /** The shared prefix's token ids ([] without one): an unshared session that should see the same tokens reads these first. */
  get prefixIds(): readonly number[] {
    return this.prefix?.ids ?? [];
  }

  /**
   * Admits a session and reads its prompt, text or token ids (the prefill; the first token comes out of it). With
   * `usePrefix` the session forks the shared prefix: only `prompt` is read, after it. Throws
   * OutOfBlocksError, admitting nothing, when the pool cannot hold the prompt.
   */
  async admit(prompt: string | readonly number[], maxNewTokens: number, usePrefix = false): Promise<SessionView> {
    const c = this.model.config;
    if (usePrefix && !this.prefix) throw new RangeError('no shared prefix has been read');
    const ids = typeof prompt === 'string' ? this.tokenizer.encode(prompt) : [...prompt];
    const text = typeof prompt === 'string' ? prompt : this.tokenizer.decode(ids);
    const base = usePrefix ? this.prefix : null;
    const total = (base?.ids.length ?? 0) + ids.length;
    if (ids.length === 0) throw new RangeError('the prompt is empty');
    if (total + maxNewTokens - 1 > c.blockSize)
      throw new RangeError(`${total} prompt positions + ${maxNewTokens} tokens exceed the context of ${c.blockSize}`);
    const id = this.nextId++;
    const seq: SeqId = `s${id}`;
    this.paged = base ? forkSequence(this.paged, PREFIX, seq) : addSequence(this.paged, seq);
    const need = this.blocksNeeded(seq, ids.length);
    if (need > this.freeBlocks) {
      this.paged = freeSequence(this.paged, seq);
      throw new OutOfBlocksError(`the session needs ${need} blocks; ${this.freeBlocks} are free`);
    }
    const r = await this.pass([seq], [ids]);
    const next = argmax(r.logits);
    const view: SessionView = {
      id,
      prompt: base ? base.text + text : text,
      text: this.tokenizer.decode([next]),
      promptTokens: total,
      generated: 1,
      maxNewTokens,
      length: total,
      blocks: [...this.paged.seqs[seq].table],
      shared: base?.ids.length ?? 0,
      done: false,
      ttftMs: r.ms,
      ids: [next],
    };
    const s: Session = { view, seq, next, firstLogits: r.logits };
    this.sessions.push(s);
    if (maxNewTokens <= 1) this.finish(s);
    return { ...s.view };
  }

  /**
   * One decode step: every running session that can get the block it needs feeds back its last
   * token, all in one batched pass through their block tables. A session that cannot get a block
   * waits this step. Returns how many advanced.
   */
  async step(between?: () => Promise<void>): Promise<number> {
    let free = this.freeBlocks;
    const batch = this.sessions.filter((s) => {
      if (s.view.done) return false;
      const need = this.blocksNeeded(s.seq, 1);
      if (need > free) return false;
      free -= need;
      return true;
    });
    if (batch.length === 0) return 0;
    const r = await this.pass(
      batch.map((s) => s.seq),
      batch.map((s) => [s.next]),
    );
    const V = this.model.config.vocabSize;
    batch.forEach((s, b) => {
      s.next = argmax(r.logits.subarray(b * V, (b + 1) * V));
      const v = s.view;
      s.view = {
        ...v,
        text: v.text + this.tokenizer.decode([s.next]),
        generated: v.generated + 1,
        length: v.length + 1,
        blocks: [...this.paged.seqs[s.seq].table],
        ids: [...v.ids, s.next],
      };
      if (s.view.generated >= s.view.maxNewTokens) this.finish(s);
    });
    await between?.();
    return batch.length;
  }

  /** A finished session gives its blocks back; its text stays on the record. */
  private finish(s: Session): void {
    s.view = { ...s.view, done: true, blocks: [...this.paged.seqs[s.seq].table] };
    this.paged = freeSequence(this.paged, s.seq);
  }

  /** The logits that chose session `id`'s first token. */
  firstLogits(id: number): Float32Array | null {
    return this.sessions.find((s) => s.view.id === id)?.firstLogits ?? null;
  }

  get running(): number {
    return this.sessions.filter((s) => !s.view.done).length;
  }

  snapshot(): ServerView {
    const { blockSize: bs, numBlocks, refCount, seqs } = this.paged;
    const owners: number[][] = refCount.map(() => []);
    const filled: number[] = refCount.map(() => 0);
    for (const [id, s] of Object.entries(seqs)) {
      s.table.forEach((b, j) => {
        owners[b].push(id === PREFIX ? PREFIX_OWNER : Number(id.slice(1)));
        filled[b] = Math.max(filled[b], Math.min(bs, s.length - j * bs)); // a shared block: as full as its fullest table
      });
    }
    const used = refCount.filter((r) => r > 0).length;
    return {
      blockSize: bs,
      numBlocks,
      owners,
      filled,
      used,
      free: numBlocks - used,
      shared: refCount.filter((r) => r > 1).length,
      emptySlots: used * bs - filled.reduce((a, b) => a + b, 0),
      sessions: this.sessions.map((s) => ({ ...s.view })),
      copies: this.copies,
    };
  }

  /** Frees the pool's tensors. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposePaged(this.paged);
    this.sessions = [];
    this.prefix = null;
  }
}
