/**
 * What the model thread can be asked to do: the methods the Web Worker (or, where a backend cannot run
 * in a worker, the main thread) serves. Each method is a thin call into lib/backend, lib/gpt or
 * lib/lessons/measure — no model logic lives here (STYLE.md item 20) — and takes and returns plain,
 * structured-cloneable values. Tensors (weights, caches, live generators) stay on this side, keyed by
 * a model key or a generator id.
 */
import type { BackendName, BackendState } from '../backend/store';
import type { GenerateOptions, GPT, GPTConfig, ModelInfo, PlainLayerKV, PlainTrace, StepRecord, Tokenizer } from '../gpt';
import type { MatMulCheck } from '../backend/device-check';
import type { ChunkedComparison, PrefillTiming, RaceProgress, RaceResult } from '../lessons/measure';
import type { KindRecipe } from '../lessons/cache-kinds';
import type { KindMeasurement } from '../lessons/cache-quality';
import type { ModelMeasurement } from '../lessons/gqa';
import type { PolicyStep, SinkShare, SweepInput, SweepPoint } from '../lessons/keep-less';
import type { CachePolicy } from '../gpt/kvcache-policy';
import type { PrefixComparison } from '../lessons/prefix';
import type { Server, ServerView } from '../lessons/serving-sim';
import { nextTask } from '../lessons/yield';
import type { BenchJob, BenchOutcome } from '../bench/page-run';
import type { RaceEstimate } from '../lessons/race-probe';
import type { ModelSize } from '../lessons/sizes';

/** A timing size (random weights) by name. */
export type TimingSize = Exclude<ModelSize, 'austen'>;

/** The key a timing model is held under on the model thread: one copy per size, shared by every cell. */
export const timingKey = (size: TimingSize): string => `timing:${size}`;

/** A step record as plain values: no logits, no live cache tensors. */
export type PlainStepRecord = Omit<StepRecord, 'logits' | 'cache'>;

/** What every method gets besides its argument: a cancel signal and a way to report progress. */
export interface CallContext {
  signal: AbortSignal;
  progress(value: unknown): void;
}

export interface GenStartArgs {
  model: string;
  /** The prompt as text: encoded and fitted to the context here (preparePrompt). */
  prompt: string;
  mode: 'naive' | 'cached';
  options: Pick<GenerateOptions, 'maxNewTokens' | 'sampling' | 'traceStep'>;
}

export interface RaceArgs {
  model: string;
  ids: number[];
  tokens: number;
  repeats: number;
  seed: number;
  warmup: boolean;
}

/**
 * Build the method table. `onBackend` is told every backend state change (the client mirrors it into
 * the page's backend store, which the header badge reads). Tests `register` in-memory models.
 */
export function createEngine(onBackend: (state: BackendState) => void) {
  const models = new Map<string, { model: GPT; tokenizer: Tokenizer }>();
  const gens = new Map<number, AsyncGenerator<StepRecord>>();
  const policyGens = new Map<number, AsyncGenerator<PolicyStep>>();
  const servers = new Map<number, Server>();
  let nextGen = 1;
  let unsubscribe: (() => void) | null = null;

  const entry = (key: string) => {
    const m = models.get(key);
    if (!m) throw new Error(`The model "${key}" is not loaded here (it was released, or the page reloaded the engine).`);
    return m;
  };
  const model = (key: string): GPT => entry(key).model;
  const server = (id: number): Server => {
    const s = servers.get(id);
    if (!s) throw new Error('This serving simulation was reset: start it again.');
    return s;
  };

  const methods = {
    /** Start tfjs (see lib/backend's initBackend); the report comes back and every later change via onBackend. */
    async init(args: { requested: BackendName | null; wasmPath?: string }) {
      const backend = await import('../backend');
      const store = await import('../backend/store');
      unsubscribe ??= store.subscribeBackend(() => onBackend(store.getBackendState()));
      onBackend(store.getBackendState());
      return backend.initBackend(args.requested, { wasmPath: args.wasmPath });
    },

    /** Load `public/models/<name>/` from `url`; returns its plain description. */
    async load(args: { key: string; url: string }, ctx: CallContext): Promise<{ config: GPTConfig; info: ModelInfo }> {
      const { loadTf } = await import('../backend');
      await loadTf();
      const gpt = await import('../gpt');
      const loaded = await gpt.loadModel(
        args.url,
        (u) => fetch(u),
        (p) => ctx.progress(p),
      );
      const old = models.get(args.key);
      if (old) gpt.disposeWeights(old.model.weights);
      models.set(args.key, { model: loaded.model, tokenizer: loaded.tokenizer });
      return { config: loaded.model.config, info: loaded.info };
    },

    /** Free a model's weights. */
    async unload(args: { key: string }) {
      const m = models.get(args.key);
      models.delete(args.key);
      if (m) (await import('../gpt')).disposeWeights(m.model.weights);
    },

    /**
     * Create a naive or cached generator for a prompt (an empty one throws EmptyPromptError; a long one is
     * cut with a notice). Returns its id for genNext / genReturn and the prompt as the model sees it.
     */
    async genStart(args: GenStartArgs): Promise<{ gen: number; ids: number[]; notice: string | null }> {
      const gpt = await import('../gpt');
      const { model: gptModel, tokenizer } = entry(args.model);
      const prepared = gpt.preparePrompt(tokenizer, args.prompt, gptModel.config);
      const generate = args.mode === 'naive' ? gpt.generateNaive : gpt.generateCached;
      const gen = nextGen++;
      gens.set(gen, generate(gptModel, tokenizer, prepared.ids, args.options));
      return { gen, ids: prepared.ids, notice: prepared.notice ?? null };
    },

    /** One more step: its record (and the cache as plain arrays, read after the timed region), or null when done. */
    async genNext(args: { gen: number; readCache: boolean }): Promise<{ record: PlainStepRecord; cache: PlainLayerKV[] | null } | null> {
      const g = gens.get(args.gen);
      if (!g) throw new Error('This generation was already closed.');
      const result = await g.next();
      if (result.done) {
        gens.delete(args.gen);
        return null;
      }
      const { cache: live, ...rest } = result.value;
      delete rest.logits; // not asked for (no returnLogits); never sent across
      const record: PlainStepRecord = rest;
      const cache = args.readCache && live ? await (await import('../gpt')).readCache(live) : null;
      return { record, cache };
    },

    /** Close a generator: its `finally` frees the cache tensors. Safe to call twice. */
    async genReturn(args: { gen: number }) {
      const g = gens.get(args.gen);
      gens.delete(args.gen);
      await g?.return(undefined);
    },

    /** A greedy generator through a cache policy (null: the full cache): lib/lessons/keep-less's stepWithPolicy. */
    async policyStart(args: { model: string; ids: number[]; policy: CachePolicy | null; maxNew: number }): Promise<{ gen: number }> {
      const { stepWithPolicy } = await import('../lessons/keep-less');
      const { model: gptModel, tokenizer } = entry(args.model);
      const gen = nextGen++;
      policyGens.set(gen, stepWithPolicy(gptModel, tokenizer, args.ids, args.policy, args.maxNew));
      return { gen };
    },

    /** The policy generator's next step, or null when it is done. */
    async policyNext(args: { gen: number }): Promise<PolicyStep | null> {
      const g = policyGens.get(args.gen);
      if (!g) throw new Error('This generation was already closed.');
      const r = await g.next();
      if (r.done) policyGens.delete(args.gen);
      return r.done ? null : r.value;
    },

    /** Close a policy generator (frees its cache). Safe to call twice. */
    async policyReturn(args: { gen: number }) {
      const g = policyGens.get(args.gen);
      policyGens.delete(args.gen);
      await g?.return(undefined);
    },

    /**
     * The budget sweep (lib/lessons/keep-less): first the attention sinks of the passage, then every
     * policy at every budget. Progress: `{ sinks }` once, `{ done }` at most every 100 ms, `{ point }` per point.
     */
    async budgetSweep(args: { model: string; text: string; input: SweepInput }, ctx: CallContext): Promise<SweepPoint[]> {
      const kl = await import('../lessons/keep-less');
      const { traceForward } = await import('../gpt');
      const { model: gptModel, tokenizer } = entry(args.model);
      const ids = tokenizer.encode(args.text).slice(0, Math.min(args.input.tokens, gptModel.config.blockSize));
      const trace = await traceForward(gptModel, ids);
      const sinks: SinkShare[] = kl.sinkShares(
        trace.map((l) => l.weights),
        Math.min(32, ids.length - 1),
      );
      ctx.progress({ sinks });
      const total = kl.sweepSteps(args.input);
      let done = 0;
      let lastSent = 0;
      return kl.budgetSweep(gptModel, tokenizer, args.text, args.input, {
        signal: ctx.signal,
        between: nextTask,
        onStep: () => {
          done += 1;
          const now = performance.now();
          if (now - lastSent > 100 || done === total) {
            lastSent = now;
            ctx.progress({ done });
          }
        },
        onPoint: (point) => ctx.progress({ point }),
      });
    },

    /** A serving simulation (lib/lessons/serving-sim's Server) on a pool of `numBlocks` blocks; returns its id. */
    async serverCreate(args: { model: string; numBlocks: number }): Promise<{ server: number }> {
      const { Server } = await import('../lessons/serving-sim');
      const { model: gptModel, tokenizer } = entry(args.model);
      const id = nextGen++;
      servers.set(id, new Server(gptModel, tokenizer, args.numBlocks));
      return { server: id };
    },

    /** Admit one session (OutOfBlocksError when the pool cannot hold it). */
    async serverAdmit(args: { server: number; prompt: string | number[]; tokens: number; usePrefix: boolean }): Promise<ServerView> {
      const s = server(args.server);
      await s.admit(args.prompt, args.tokens, args.usePrefix);
      return s.snapshot();
    },

    /** One decode step for every running session: how many advanced (0: all wait for a block). */
    async serverStep(args: { server: number }): Promise<{ advanced: number; running: number; view: ServerView }> {
      const s = server(args.server);
      const running = s.running;
      const advanced = running === 0 ? 0 : await s.step(nextTask);
      return { advanced, running, view: s.snapshot() };
    },

    /** Read `text` as the shared prefix (null: drop it). */
    async serverPrefix(args: { server: number; text: string | null }): Promise<ServerView> {
      const s = server(args.server);
      if (args.text === null) s.clearPrefix();
      else await s.setPrefix(args.text);
      return s.snapshot();
    },

    async serverView(args: { server: number }): Promise<ServerView> {
      return server(args.server).snapshot();
    },

    /** Free a server's blocks and tensors. Safe to call twice. */
    async serverDispose(args: { server: number }) {
      servers.get(args.server)?.dispose();
      servers.delete(args.server);
    },

    /** Shared-prefix serving against unshared (lib/lessons/prefix's comparePrefixSharing). */
    async comparePrefix(args: { model: string; system: string; asks: string[]; tokens: number }): Promise<PrefixComparison> {
      const { comparePrefixSharing } = await import('../lessons/prefix');
      const { model: gptModel, tokenizer } = entry(args.model);
      return comparePrefixSharing(gptModel, tokenizer, args.system, args.asks, args.tokens, { between: nextTask });
    },

    /** Attention internals of one uncached pass, as plain arrays. */
    async trace(args: { model: string; ids: number[] }): Promise<PlainTrace> {
      return (await import('../gpt')).traceForward(model(args.model), args.ids);
    },

    /** The race (lib/lessons/measure's runRace); progress per step; the event loop gets a turn between steps. */
    async race(args: RaceArgs, ctx: CallContext): Promise<RaceResult> {
      const m = await import('../lessons/measure');
      return m.runRace(model(args.model), entry(args.model).tokenizer, args.ids, {
        ...args,
        signal: ctx.signal,
        onProgress: (p: RaceProgress) => ctx.progress(p),
        between: nextTask,
      });
    },

    /**
     * A timing model of `size` (lib/bench/page-run's raceTimingModel: random weights drawn here from
     * TIMING_SEED, nothing downloaded) speaking the tokenizer of the loaded model `tokenizerOf`, held
     * under timingKey(size); an existing one is reused. The memory is checked before anything is
     * allocated (ModelMemoryError). Returns its handle: key and config.
     */
    async timingModel(args: { size: TimingSize; tokenizerOf: string; deviceMemory?: number }): Promise<{ key: string; config: GPTConfig }> {
      const key = timingKey(args.size);
      const held = models.get(key);
      if (held) return { key, config: held.model.config };
      const { tokenizer } = entry(args.tokenizerOf);
      const pr = await import('../bench/page-run');
      const gpt = pr.raceTimingModel(args.size, tokenizer.vocabSize, pr.browserMemoryBudget(pr.benchBackend(), args.deviceMemory));
      models.set(key, { model: gpt, tokenizer });
      return { key, config: gpt.config };
    },

    /** Free a timing model's weights. Safe to call twice, and for a size never made. */
    async timingRelease(args: { size: TimingSize }) {
      const key = timingKey(args.size);
      const m = models.get(key);
      models.delete(key);
      if (m) (await import('../gpt')).disposeWeights(m.model.weights);
    },

    /** How long a race would take on this device (lib/lessons/race-probe's estimateRace: a short probe, fitted). */
    async raceEstimate(
      args: { model: string; promptLength: number; tokens: number; repeats: number; warmup: boolean },
      ctx: CallContext,
    ): Promise<RaceEstimate> {
      const { estimateRace } = await import('../lessons/race-probe');
      return estimateRace(model(args.model), args, { signal: ctx.signal, between: nextTask });
    },

    /** Time to first token for the first `length` tokens of PREFILL_TEXT, then `decodeSteps` cached steps. */
    async prefill(args: { model: string; length: number; decodeSteps: number }, ctx: CallContext): Promise<PrefillTiming> {
      const m = await import('../lessons/measure');
      const ids = m.promptOfLength(entry(args.model).tokenizer, args.length);
      return m.measurePrefill(model(args.model), ids, args.decodeSteps, { signal: ctx.signal, between: nextTask });
    },

    /** One-pass against chunked prefill of the first `length` tokens of PREFILL_TEXT. */
    async chunked(args: { model: string; length: number; chunk: number }): Promise<ChunkedComparison> {
      const m = await import('../lessons/measure');
      return m.compareChunkedPrefill(model(args.model), m.promptOfLength(entry(args.model).tokenizer, args.length), args.chunk);
    },

    /** One cache kind (named by a recipe) against the full cache on `text`: lib/lessons/cache-quality's measureKind. */
    async measureKind(args: { model: string; text: string; recipe: KindRecipe }): Promise<KindMeasurement> {
      const { model: gptModel, tokenizer } = entry(args.model);
      const kind = await (await import('../lessons/cache-kinds')).makeKind(args.recipe, gptModel);
      return (await import('../lessons/cache-quality')).measureKind(gptModel, tokenizer, args.text, kind);
    },

    /** A model's loss and cache size on `text`: lib/lessons/gqa's measureModel. */
    async measureModel(args: { model: string; text: string }): Promise<ModelMeasurement> {
      const { model: gptModel, tokenizer } = entry(args.model);
      return (await import('../lessons/gqa')).measureModel(gptModel, tokenizer, args.text);
    },

    /** The /bench/ page's run (lib/bench/page-run's runBenchJob); `model` names the trained model for size "austen". */
    async bench(args: { model: string; job: BenchJob }, ctx: CallContext): Promise<BenchOutcome> {
      const { runBenchJob } = await import('../bench/page-run');
      const trained = args.job.size === 'austen' ? model(args.model) : null;
      return runBenchJob(trained, args.job, { signal: ctx.signal, between: nextTask, progress: (p) => ctx.progress(p) });
    },

    async matmul(args: { size: number; runs: number }): Promise<MatMulCheck> {
      return (await import('../backend/device-check')).checkMatMul(args.size, args.runs);
    },

    /** tfjs's counters (tensors, bytes) for the browser tests' leak checks. */
    async memory(): Promise<{ numTensors: number; numBytes: number; backend: string; generators: number }> {
      const tf = await import('@tensorflow/tfjs-core');
      const { numTensors, numBytes } = tf.memory();
      return { numTensors, numBytes, backend: tf.getBackend(), generators: gens.size + policyGens.size + servers.size };
    },
  };

  return {
    methods,
    /** Make an in-memory model callable under `key` (tests; the page always goes through `load`). */
    register(key: string, gpt: GPT, tokenizer: Tokenizer) {
      models.set(key, { model: gpt, tokenizer });
    },
    dispose() {
      unsubscribe?.();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
export type Methods = Engine['methods'];
export type MethodName = keyof Methods;
export type ArgsOf<K extends MethodName> = Parameters<Methods[K]>[0];
export type ResultOf<K extends MethodName> = Awaited<ReturnType<Methods[K]>>;
