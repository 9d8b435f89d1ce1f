'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { GPT, PlainLayerKV, PlainTrace, SamplingOptions, StepRecord, Tokenizer } from '@/lib/gpt';

/** One token on screen: the prompt's tokens have `prob: null`. */
export interface ViewToken {
  id: number;
  /** The token's decoded text (may hold a newline or a partial character). */
  text: string;
  /** A printable label (tokenizer.tokenLabel). */
  label: string;
  /** The token's raw bytes (tokenizer.tokenBytes): the chips group byte tokens into characters. */
  bytes: number[];
  prob: number | null;
  /** Position in the sequence, from 0. */
  position: number;
}

/** A step record without tensors or big arrays (no logits, no live cache): safe to keep in React state. */
export type ViewRecord = Omit<StepRecord, 'logits' | 'cache'>;

/** Something the cell must say in words instead of silently stopping. */
export interface GenerationMessage {
  /** empty: no prompt; blockSize: the context is full; backend: tfjs failed (offer other backends). */
  kind: 'empty' | 'blockSize' | 'backend' | 'error';
  text: string;
}

export interface GenerationState {
  /** idle: nothing generated yet; running: can step; done: stopped (see stopReason); error: see message. */
  status: 'idle' | 'running' | 'done' | 'error';
  playing: boolean;
  /** A step is being computed right now. */
  busy: boolean;
  /** The prompt as the model sees it (after any cut), then every generated token. */
  promptTokens: ViewToken[];
  tokens: ViewToken[];
  records: ViewRecord[];
  /** Positions in the KV cache (cached mode; naive mode reports 0) and their bytes. */
  cacheLength: number;
  cacheBytes: number;
  stopReason: 'maxTokens' | 'blockSize' | null;
  /** The live cache after the last step as plain arrays, when `readCache` was asked for. */
  cache: PlainLayerKV[] | null;
  /** The last step's attention internals, with `traceStep: 'every'` (then records carry no trace). */
  lastTrace: PlainTrace | null;
  /** e.g. "The prompt is 300 tokens but the model sees at most 256…" */
  notice: string | null;
  message: GenerationMessage | null;
}

export interface UseGenerationOptions {
  model: GPT | null;
  tokenizer: Tokenizer | null;
  prompt: string;
  /** 'cached' (the default) drives generateCached, 'naive' drives generateNaive. */
  mode?: 'cached' | 'naive';
  /** Default: until the context is full. */
  maxNewTokens?: number;
  /** Default: greedy. */
  sampling?: SamplingOptions;
  /** Read the cache into plain arrays after each step (outside the timed region). Cached mode only. */
  readCache?: boolean;
  /** Capture attention internals on this step into the record's `trace`; 'every': each step, into `lastTrace`. */
  traceStep?: number | 'every';
  /** Pause between steps while playing, in ms (default 120), so the growth can be seen. */
  playDelayMs?: number;
}

export interface UseGeneration extends GenerationState {
  /** Compute one more token. Resolves when its record (and cache read) is in the state. */
  step(): Promise<void>;
  play(): void;
  pause(): void;
  togglePlay(): void;
  /** Stop, free the generator's tensors, and go back to 'idle'. */
  reset(): void;
}

export const INITIAL_GENERATION: GenerationState = {
  status: 'idle',
  playing: false,
  busy: false,
  promptTokens: [],
  tokens: [],
  records: [],
  cacheLength: 0,
  cacheBytes: 0,
  stopReason: null,
  cache: null,
  lastTrace: null,
  notice: null,
  message: null,
};

const BACKEND_HINT = 'Try another backend below, or reload the page.';

/** Turn a failure during a step into words for the cell. */
export function generationMessage(error: unknown): GenerationMessage {
  const name = (error as { name?: string } | null)?.name;
  const text = error instanceof Error ? error.message : String(error);
  if (name === 'EmptyPromptError') return { kind: 'empty', text };
  if (name === 'ContextOverflowError') return { kind: 'blockSize', text: `The context is full: ${text}.` };
  if (name === 'NonFiniteLogitsError') return { kind: 'backend', text: 'This backend produced invalid numbers — try another backend below.' };
  return { kind: 'backend', text: `The model stopped with an error: ${text}. ${BACKEND_HINT}` };
}

/** The message shown when generation stopped because the context is full. */
export const blockSizeMessage = (blockSize: number): GenerationMessage => ({
  kind: 'blockSize',
  text: `The context is full: the model sees at most ${blockSize} tokens, so generation stops here. Reset or shorten the prompt to go on.`,
});

function viewRecord(r: StepRecord): ViewRecord {
  const { step, id, text, prob, rawProb, ms, processed, cacheLength, cacheBytes, stopReason, trace } = r;
  return { step, id, text, prob, rawProb, ms, processed, cacheLength, cacheBytes, stopReason, ...(trace ? { trace } : {}) };
}

/**
 * Drive one generation step by step and hand the view plain arrays.
 *
 * The generator (and so the KV cache tensors) lives in a ref. `reset()`, a new prompt or model, and
 * unmounting all call the generator's `return()` — after any step in flight — so its `finally` frees
 * the cache. Cache reads (`readCache: true`) happen after the step's record, outside its timed region.
 */
export function useGeneration(opts: UseGenerationOptions): UseGeneration {
  const { model, tokenizer, prompt, mode = 'cached', maxNewTokens, sampling, readCache, traceStep, playDelayMs = 120 } = opts;
  const [state, setState] = useState<GenerationState>(INITIAL_GENERATION);
  const gen = useRef<AsyncGenerator<StepRecord> | null>(null);
  const inflight = useRef<Promise<void> | null>(null);
  const run = useRef(0);
  const playing = useRef(false);
  const finished = useRef(false);
  const settings = useRef({ maxNewTokens, sampling, readCache, traceStep, mode, playDelayMs });
  settings.current = { maxNewTokens, sampling, readCache, traceStep, mode, playDelayMs };

  const stop = useCallback(() => {
    run.current += 1;
    playing.current = false;
    finished.current = false;
    const g = gen.current;
    gen.current = null;
    // Let a step in flight finish (its record may still be read) before the generator frees its cache.
    const after = inflight.current ?? Promise.resolve();
    inflight.current = null;
    if (g) void after.catch(() => undefined).then(() => g.return(undefined)).catch(() => undefined);
  }, []);

  const reset = useCallback(() => {
    stop();
    setState(INITIAL_GENERATION);
  }, [stop]);

  // A new prompt, model or mode starts over; unmounting frees everything.
  useEffect(() => reset, [reset, model, tokenizer, prompt, mode]);

  const stepOnce = useCallback(async (): Promise<boolean> => {
    if (!model || !tokenizer || inflight.current || finished.current) return false;
    const id = run.current;
    const s = settings.current;
    let g = gen.current;
    if (!g) {
      const gpt = await import('@/lib/gpt');
      let prepared;
      try {
        prepared = gpt.preparePrompt(tokenizer, prompt, model.config);
      } catch (error) {
        setState((st) => ({ ...st, status: 'error', playing: false, message: generationMessage(error) }));
        return false;
      }
      if (id !== run.current) return false;
      const options = {
        maxNewTokens: s.maxNewTokens ?? model.config.blockSize,
        sampling: s.sampling ?? {},
        ...(s.traceStep !== undefined ? { traceStep: s.traceStep } : {}),
      };
      const generate = s.mode === 'naive' ? gpt.generateNaive : gpt.generateCached;
      g = generate(model, tokenizer, prepared.ids, options);
      gen.current = g;
      const promptTokens = prepared.ids.map((tid, position) => ({
        id: tid,
        text: tokenizer.decode([tid]),
        label: tokenizer.tokenLabel(tid),
        bytes: Array.from(tokenizer.tokenBytes(tid)),
        prob: null,
        position,
      }));
      setState((st) => ({ ...st, status: 'running', promptTokens, notice: prepared.notice ?? null, message: null }));
    }
    const generator = g;
    let advanced = false;
    const work = (async () => {
      setState((st) => ({ ...st, busy: true }));
      const result = await generator.next();
      if (id !== run.current) return;
      if (result.done) {
        finished.current = true;
        setState((st) => ({ ...st, status: 'done', busy: false, playing: false }));
        return;
      }
      const r = result.value;
      const cache = s.readCache && r.cache ? await (await import('@/lib/gpt')).readCache(r.cache) : null;
      if (id !== run.current) return;
      advanced = true;
      const stopped = r.stopReason ?? null;
      setState((st) => ({
        ...st,
        busy: false,
        status: stopped ? 'done' : 'running',
        playing: stopped ? false : st.playing,
        tokens: [
          ...st.tokens,
          {
            id: r.id,
            text: r.text,
            label: tokenizer.tokenLabel(r.id),
            bytes: Array.from(tokenizer.tokenBytes(r.id)),
            prob: r.prob,
            position: st.promptTokens.length + st.tokens.length,
          },
        ],
        records: [...st.records, s.traceStep === 'every' ? { ...viewRecord(r), trace: undefined } : viewRecord(r)],
        lastTrace: s.traceStep === 'every' ? (r.trace ?? null) : st.lastTrace,
        cacheLength: r.cacheLength,
        cacheBytes: r.cacheBytes,
        stopReason: stopped,
        cache: cache ?? st.cache,
        message: stopped === 'blockSize' ? blockSizeMessage(model.config.blockSize) : st.message,
      }));
      if (stopped) {
        finished.current = true;
        playing.current = false;
        gen.current = null;
        void generator.return(undefined);
      }
    })();
    inflight.current = work.catch((error: unknown) => {
      if (id !== run.current) return;
      playing.current = false;
      setState((st) => ({ ...st, busy: false, playing: false, status: 'error', message: generationMessage(error) }));
    });
    await inflight.current;
    if (id === run.current) inflight.current = null;
    return advanced;
  }, [model, tokenizer, prompt]);

  const step = useCallback(async () => {
    if (playing.current) return;
    await stepOnce();
  }, [stepOnce]);

  const pause = useCallback(() => {
    playing.current = false;
    setState((st) => ({ ...st, playing: false }));
  }, []);

  const play = useCallback(() => {
    if (playing.current || !model) return;
    playing.current = true;
    const id = run.current;
    setState((st) => ({ ...st, playing: true }));
    void (async () => {
      while (playing.current && id === run.current) {
        if (!(await stepOnce())) break;
        await new Promise((r) => setTimeout(r, settings.current.playDelayMs));
      }
      if (id === run.current) pause();
    })();
  }, [model, stepOnce, pause]);

  const togglePlay = useCallback(() => (playing.current ? pause() : play()), [pause, play]);

  return { ...state, step, play, pause, togglePlay, reset };
}
