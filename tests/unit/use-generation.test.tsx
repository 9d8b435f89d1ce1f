// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import * as tf from '@tensorflow/tfjs-core';
import { useGeneration } from '@/lib/hooks/useGeneration';
import { bytes, tinyModel, useCpu } from './gpt-helpers';
import { localModel, openGenerators } from './helpers/local-engine';

beforeAll(useCpu);
afterEach(cleanup);

describe('useGeneration', () => {
  it('steps one token at a time, the cache growing by one row per step from the prompt length', async () => {
    const model = localModel(tinyModel(), bytes);
    const { result } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Emma', readCache: true }));
    await act(() => result.current.step());
    expect(result.current.promptTokens.map((t) => t.label).join('')).toBe('Emma');
    expect(result.current.cacheLength).toBe(4);
    for (let n = 5; n <= 7; n++) {
      await act(() => result.current.step());
      expect(result.current.cacheLength).toBe(n);
      expect(result.current.cache?.[0].k[0]).toHaveLength(n); // [nKvHead][T][hs]
    }
    expect(result.current.tokens).toHaveLength(4);
    expect(result.current.records.map((r) => r.processed)).toEqual([4, 1, 1, 1]);
    expect(result.current.records.every((r) => !('cache' in r))).toBe(true);
  });

  it('frees every tensor it made on reset and on unmount (tensor count back to the weights alone)', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Mr. Darcy' }));
    await act(() => result.current.step());
    await act(() => result.current.step());
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    act(() => result.current.reset());
    await waitFor(() => expect(tf.memory().numTensors).toBe(before));
    expect(result.current.status).toBe('idle');
    expect(result.current.tokens).toEqual([]);
    await act(() => result.current.step());
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    unmount();
    await waitFor(() => expect(tf.memory().numTensors).toBe(before));
  });

  it('says so when the prompt is empty, and stops with a message when the context is full', async () => {
    const model = localModel(tinyModel({ blockSize: 6 }), bytes);
    const { result, rerender } = renderHook(({ prompt }) => useGeneration({ model, tokenizer: bytes, prompt }), {
      initialProps: { prompt: '' },
    });
    await act(() => result.current.step());
    expect(result.current.message?.kind).toBe('empty');
    rerender({ prompt: 'abcd' });
    for (let i = 0; i < 5; i++) await act(() => result.current.step());
    expect(result.current.stopReason).toBe('blockSize');
    expect(result.current.message?.kind).toBe('blockSize');
    expect(result.current.tokens).toHaveLength(3); // 4 + 3 = 7 = blockSize + 1: the last token has no room left
    expect(result.current.status).toBe('done');
  });

  it('shows the notice when a long prompt is cut to the context', async () => {
    const model = localModel(tinyModel({ blockSize: 8 }), bytes);
    const { result } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'It is a truth universally acknowledged' }));
    await act(() => result.current.step());
    expect(result.current.notice).toMatch(/first \d+ were cut/);
    expect(result.current.promptTokens).toHaveLength(8);
  });
});

describe('useGeneration with traceStep: every', () => {
  it('hands the newest query of every step to the view and keeps no traces in the records', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Bath', traceStep: 'every' }));
    await act(() => result.current.step());
    expect(result.current.lastTrace?.[0].q[0]).toHaveLength(4); // prefill: [nh][T = 4][hs]
    await act(() => result.current.step());
    expect(result.current.lastTrace?.[0].q[0]).toHaveLength(1); // decode: one new query, used once
    expect(result.current.records.every((r) => r.trace === undefined)).toBe(true);
    unmount();
    await waitFor(() => expect(tf.memory().numTensors).toBe(before));
  });
});

describe('useGeneration always closes its generators (issue 10: the in-flight guard)', () => {
  const settle = async (before: number) => {
    await waitFor(async () => expect(await openGenerators()).toBe(0));
    await waitFor(() => expect(tf.memory().numTensors).toBe(before));
  };

  it('queues a second step() made in the same tick: one generator, two tokens in order, none dropped', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Emma' }));
    await act(async () => {
      await Promise.all([result.current.step(), result.current.step()]);
    });
    expect(result.current.tokens).toHaveLength(2);
    expect(result.current.records.map((r) => r.step)).toEqual([0, 1]);
    expect(result.current.records.map((r) => r.processed)).toEqual([4, 1]); // the second step used the first one's cache
    expect(result.current.queued).toBe(0);
    expect(await openGenerators()).toBe(1);
    unmount();
    await settle(before);
  });

  it('frees everything when play is paused and the hook unmounts mid-play', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Bath', playDelayMs: 0 }));
    act(() => result.current.play());
    await waitFor(() => expect(result.current.tokens.length).toBeGreaterThanOrEqual(3));
    unmount();
    await settle(before);
  });

  it('closes a generator that was still being created when reset came (abort mid-start)', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Persuasion' }));
    await act(async () => {
      const pending = result.current.step();
      result.current.reset();
      await pending;
    });
    expect(result.current.tokens).toEqual([]);
    await settle(before);
    await act(() => result.current.step());
    expect(result.current.tokens).toHaveLength(1);
    unmount();
    await settle(before);
  });

  it('closes the generator after a step fails, and says so in words', async () => {
    const good = tinyModel();
    const broken = { ...good, weights: { ...good.weights, 'ln_f.weight': tf.ones([3]) } }; // [3], not [nEmbd]
    const model = localModel(broken, bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Emma' }));
    await act(() => result.current.step());
    expect(result.current.status).toBe('error');
    expect(result.current.message?.kind).toBe('backend');
    await settle(before);
    unmount();
    await settle(before);
  });

  it('closes the generator when generation reaches its token limit', async () => {
    const model = localModel(tinyModel(), bytes);
    const before = tf.memory().numTensors;
    const { result, unmount } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'Emma', maxNewTokens: 2 }));
    await act(() => result.current.step());
    await act(() => result.current.step());
    expect(result.current.stopReason).toBe('maxTokens');
    await settle(before);
    unmount();
  });
});
