import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GPT } from '@/lib/gpt/forward';
import { disposeWeights } from '@/lib/gpt/params';
import { OutOfBlocksError, PREFIX_OWNER, Server } from '@/lib/lessons/serving-sim';
import { maxAbsDifference } from '@/lib/stats';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);
let model: GPT;
beforeAll(() => {
  model = tinyModel({ blockSize: 96 }, 4, 2);
});
afterAll(() => disposeWeights(model.weights));

const SYSTEM = 'You are a helpful assistant who writes like Jane Austen. '; // 57 bytes = 57 tokens
const until = async (server: Server) => {
  while (server.running > 0) if ((await server.step()) === 0) throw new Error('stuck');
};

describe('the in-page server', () => {
  it('four sessions take blocks by their length, decode to their lengths and give the blocks back', async () => {
    const server = new Server(model, bytes, 32, 16);
    for (const [p, n] of [
      ['Emma', 5],
      ['Mr. Darcy', 12],
      ['Anne Elliot was', 20],
      ['Catherine', 3],
    ] as const)
      await server.admit(p, n);
    let v = server.snapshot();
    expect(v.sessions.map((s) => s.blocks.length)).toEqual([1, 1, 1, 1]);
    expect(v.used).toBe(4);
    await server.step();
    v = server.snapshot();
    expect(v.sessions.map((s) => s.length)).toEqual([5, 10, 16, 10]);
    await until(server);
    v = server.snapshot();
    expect(v.sessions.map((s) => s.generated)).toEqual([5, 12, 20, 3]);
    expect(v.used).toBe(0);
    expect(v.free).toBe(32);
    // decoded in a batch of four (padded, masked) = decoded alone
    const alone = new Server(model, bytes, 32, 16);
    await alone.admit('Anne Elliot was', 20);
    await until(alone);
    expect(alone.snapshot().sessions[0].ids).toEqual(v.sessions[2].ids);
    alone.dispose();
    server.dispose();
  });

  it('admission stops when the pool is out of blocks, admitting nothing half-way', async () => {
    const server = new Server(model, bytes, 3, 16);
    await server.admit('x'.repeat(20), 2); // 2 blocks
    await expect(server.admit('y'.repeat(20), 2)).rejects.toThrow(OutOfBlocksError);
    expect(server.snapshot().used).toBe(2);
    server.dispose();
  });

  it(
    'a shared prefix: its blocks are pointed at by every session, fewer blocks are used, and the ' +
      'continuations equal the unshared runs',
    async () => {
      const shared = new Server(model, bytes, 64, 16);
      await shared.setPrefix(SYSTEM);
      const plain = new Server(model, bytes, 64, 16);
      const asks = ['Describe Bath.', 'Who is Mr. Knightley?', 'Write a letter.'];
      for (const a of asks) {
        await shared.admit(a, 8, true);
        await plain.admit(SYSTEM + a, 8);
      }
      const s = shared.snapshot();
      const p = plain.snapshot();
      expect(s.owners[0]).toEqual([PREFIX_OWNER, 1, 2, 3]);
      expect(s.used).toBeLessThan(p.used);
      expect(s.sessions.every((x) => x.shared === 57)).toBe(true);
      await until(shared);
      await until(plain);
      const sv = shared.snapshot().sessions;
      const pv = plain.snapshot().sessions;
      for (let i = 0; i < asks.length; i++) {
        expect(sv[i].ids).toEqual(pv[i].ids);
        expect(maxAbsDifference(shared.firstLogits(sv[i].id)!, plain.firstLogits(pv[i].id)!)).toBeLessThan(1e-4);
      }
      shared.dispose();
      plain.dispose();
    },
  );

  it('no tensor survives 20 sessions (with and without a shared prefix) and a dispose', async () => {
    const before = tf.memory().numTensors;
    const server = new Server(model, bytes, 64, 16);
    await server.setPrefix(SYSTEM);
    for (let i = 0; i < 20; i++) {
      await server.admit(`Session ${i}.`, 3, i % 2 === 0);
      await server.step();
    }
    await until(server);
    expect(server.snapshot().used).toBe(4); // only the prefix remains
    server.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('prefix sharing, measured', () => {
  it('reads the prefix once, uses fewer blocks, and every continuation equals the unshared one; no tensor survives', async () => {
    const { comparePrefixSharing } = await import('@/lib/lessons/prefix');
    const before = tf.memory().numTensors;
    const r = await comparePrefixSharing(model, bytes, SYSTEM, ['Describe Bath.', 'Who is Emma?'], 6);
    expect(r.prefixTokens).toBe(57);
    expect(r.rows.map((x) => [x.sharedRead, x.plainRead])).toEqual([
      [14, 71],
      [12, 69],
    ]);
    expect(r.rows.every((x) => x.sameTokens && x.logitsDelta < 1e-4)).toBe(true);
    expect(r.sharedBlocks).toBeLessThan(r.plainBlocks);
    expect(r.copies).toBe(2); // 57 positions end mid-block: each session copies that block on its first write
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('prefix sharing with a BPE tokenizer', () => {
  it(
    'the unshared run reads the same token ids, so continuations match even where the joined text ' + 'would tokenize differently',
    async () => {
      const { readFileSync } = await import('node:fs');
      const { loadTokenizer } = await import('@/lib/gpt/tokenizer');
      const { comparePrefixSharing } = await import('@/lib/lessons/prefix');
      const bpe = loadTokenizer(JSON.parse(readFileSync('public/models/austen/tokenizer.json', 'utf8')));
      const system = 'You are a narrator in the manner of Miss Austen. ';
      const ask = 'Describe the ball.';
      // the premise: across the boundary, BPE merges differently than piece by piece
      expect(bpe.encode(system + ask)).not.toEqual([...bpe.encode(system), ...bpe.encode(ask)]);
      const m = tinyModel({ vocabSize: bpe.vocabSize, blockSize: 64 }, 6, 2);
      try {
        const r = await comparePrefixSharing(m, bpe, system, [ask], 5);
        expect(r.rows[0].sameTokens).toBe(true);
        expect(r.rows[0].logitsDelta).toBeLessThan(1e-4);
      } finally {
        disposeWeights(m.weights);
      }
    },
  );
});
