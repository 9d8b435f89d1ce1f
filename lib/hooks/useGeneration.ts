'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { PlainLayerKV, PlainTrace, SamplingOptions, Tokenizer } from '@/lib/gpt';
import type { PlainStepRecord } from '@/lib/worker/engine';
import { getClient, type ModelHandle } from '@/lib/worker/client';

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
export type ViewRecord = PlainStepRecord;

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
  /** A step is being computed right now (set the moment step() is called, so the button can say so). */
  busy: boolean;
  /** Step presses waiting for the step in flight (they run one after another, never dropped). */
  queued: number;
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
  /** useModel's handle (was the `GPT` itself before the model moved into a worker). */
  model: ModelHandle | null;
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
  queued: 0,
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
  if (name === 'NonFiniteLogitsError')
    return { kind: 'backend', text: 'This backend produced invalid numbers — try another backend below.' };
  return { kind: 'backend', text: `The model stopped with an error: ${text}. ${BACKEND_HINT}` };
}

/** The message shown when generation stopped because the context is full. */
export const blockSizeMessage = (blockSize: number): GenerationMessage => ({
  kind: 'blockSize',
  text: `The context is full: the model sees at most ${blockSize} tokens, so generation stops here. Reset or shorten the prompt to go on.`,
});

/** A generator on the model thread, as the hook holds it. */
interface RemoteGen {
  gen: number;
}

const closeGen = (g: RemoteGen) =>
  getClient()
    .call('genReturn', { gen: g.gen })
    .catch(() => undefined);

/**
 * Drive one generation step by step and hand the view plain arrays.
 *
 * The generator (and so the KV cache tensors) lives on the model thread; the hook holds its id. Every
 * generator the hook creates is closed with `genReturn` — on reset, a new prompt, model or mode, on
 * unmount, when generation ends, after an error, and when it was created for a run that was reset while
 * it started. One step at a time: the in-flight guard is set synchronously in `step()`, so two calls in
 * one tick never make two generators; the second waits (`queued`) and then steps the same generator.
 * Cache reads (`readCache: true`) happen on the model thread after the step's record, outside its
 * timed region.
 */
export function useGeneration(opts: UseGenerationOptions): UseGeneration {
  const { model, tokenizer, prompt, mode = 'cached', maxNewTokens, sampling, readCache, traceStep, playDelayMs = 120 } = opts;
  const [state, setState] = useState<GenerationState>(INITIAL_GENERATION);
  const gen = useRef<RemoteGen | null>(null);
  const inflight = useRef<Promise<boolean> | null>(null);
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
    // Let a step in flight finish before the generator frees its cache (a generator the step is still
    // creating is closed by the step itself, which sees the run has changed).
    const after = inflight.current ?? Promise.resolve(false);
    inflight.current = null;
    if (g) void after.catch(() => undefined).then(() => closeGen(g));
  }, []);

  const reset = useCallback(() => {
    stop();
    setState(INITIAL_GENERATION);
  }, [stop]);

  // A new prompt, model or mode starts over; unmounting frees everything.
  useEffect(() => reset, [reset, model, tokenizer, prompt, mode]);

  /** One step on the model thread; false when nothing advanced (ended, reset, or failed). */
  const work = useCallback(
    async (id: number): Promise<boolean> => {
      if (!model || !tokenizer) return false;
      const s = settings.current;
      const client = getClient();
      let g = gen.current;
      if (!g) {
        let started;
        try {
          started = await client.call('genStart', {
            model: model.key,
            prompt,
            mode: s.mode,
            options: {
              maxNewTokens: s.maxNewTokens ?? model.config.blockSize,
              sampling: s.sampling ?? {},
              ...(s.traceStep !== undefined ? { traceStep: s.traceStep } : {}),
            },
          });
        } catch (error) {
          if (id === run.current)
            setState((st) => ({ ...st, status: 'error', busy: false, playing: false, message: generationMessage(error) }));
          return false;
        }
        const created = { gen: started.gen };
        if (id !== run.current) {
          void closeGen(created); // reset while it started: nobody else will ever close it
          return false;
        }
        g = created;
        gen.current = g;
        const promptTokens = started.ids.map((tid, position) => ({
          id: tid,
          text: tokenizer.decode([tid]),
          label: tokenizer.tokenLabel(tid),
          bytes: Array.from(tokenizer.tokenBytes(tid)),
          prob: null,
          position,
        }));
        setState((st) => ({ ...st, status: 'running', promptTokens, notice: started.notice, message: null }));
      }
      const generator = g;
      let result;
      try {
        result = await client.call('genNext', { gen: generator.gen, readCache: Boolean(s.readCache) });
      } catch (error) {
        if (gen.current === generator) gen.current = null;
        void closeGen(generator);
        if (id === run.current) {
          playing.current = false;
          setState((st) => ({ ...st, busy: false, playing: false, status: 'error', message: generationMessage(error) }));
        }
        return false;
      }
      if (id !== run.current) return false;
      if (!result) {
        finished.current = true;
        gen.current = null;
        setState((st) => ({ ...st, status: 'done', busy: false, playing: false }));
        return false;
      }
      const { record: r, cache } = result;
      const stopped = r.stopReason ?? null;
      if (stopped) {
        finished.current = true;
        playing.current = false;
        gen.current = null;
        void closeGen(generator);
      }
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
        records: [...st.records, s.traceStep === 'every' ? { ...r, trace: undefined } : r],
        lastTrace: s.traceStep === 'every' ? (r.trace ?? null) : st.lastTrace,
        cacheLength: r.cacheLength,
        cacheBytes: r.cacheBytes,
        stopReason: stopped,
        cache: cache ?? st.cache,
        message: stopped === 'blockSize' ? blockSizeMessage(model.config.blockSize) : st.message,
      }));
      return true;
    },
    [model, tokenizer, prompt],
  );

  const stepOnce = useCallback((): Promise<boolean> => {
    if (!model || !tokenizer || finished.current) return Promise.resolve(false);
    const id = run.current;
    // A step already running: this press is queued behind it (shown as `queued`), then steps the same generator.
    if (inflight.current) {
      setState((st) => ({ ...st, queued: st.queued + 1 }));
      return inflight.current.then(() => {
        if (id !== run.current) return false;
        setState((st) => ({ ...st, queued: Math.max(0, st.queued - 1) }));
        return stepRef.current();
      });
    }
    setState((st) => ({ ...st, busy: true }));
    const p = work(id).finally(() => {
      if (inflight.current === p) inflight.current = null;
      if (id === run.current) setState((st) => (st.busy ? { ...st, busy: false } : st));
    });
    inflight.current = p;
    return p;
  }, [model, tokenizer, work]);
  const stepRef = useRef(stepOnce);
  stepRef.current = stepOnce;
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
