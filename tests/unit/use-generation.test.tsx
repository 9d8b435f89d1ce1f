// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import * as tf from '@tensorflow/tfjs-core';
import { useGeneration } from '@/lib/hooks/useGeneration';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

beforeAll(useCpu);
afterEach(cleanup);

describe('useGeneration', () => {
  it('steps one token at a time, the cache growing by one row per step from the prompt length', async () => {
    const model = tinyModel();
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
    const model = tinyModel();
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
    const model = tinyModel({ blockSize: 6 });
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
    const model = tinyModel({ blockSize: 8 });
    const { result } = renderHook(() => useGeneration({ model, tokenizer: bytes, prompt: 'It is a truth universally acknowledged' }));
    await act(() => result.current.step());
    expect(result.current.notice).toMatch(/first \d+ were cut/);
    expect(result.current.promptTokens).toHaveLength(8);
  });
});

describe('useGeneration with traceStep: every', () => {
  it('hands the newest query of every step to the view and keeps no traces in the records', async () => {
    const model = tinyModel();
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
