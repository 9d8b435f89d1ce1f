/**
 * The page's side of the model thread. `getClient()` starts one dedicated module Worker per page
 * (lib/worker/kvlab.worker.ts) and returns a `call(method, args)` that resolves with the method's plain
 * result. Where the model cannot run in a worker — no Worker at all, a worker that fails to start, or
 * WebGL asked for where workers have no OffscreenCanvas — the same engine runs in the page instead, and
 * it still gives the event loop a turn between steps; `getThread()` says which, and why.
 */
import { createStore } from '../store';
import { assetPath } from '../paths';
import { setBackendState } from '../backend/store';
import type { BackendName, BackendReport } from '../backend/store';
import type { GPTConfig } from '../gpt';
import type { ArgsOf, Engine, MethodName, ResultOf } from './engine';
import type { PlainError, Reply, Request } from './protocol';

export interface CallOptions {
  /** Aborting sends an abort for this call; the method sees it before its next step. */
  signal?: AbortSignal;
  onProgress?: (value: unknown) => void;
}

export interface ModelClient {
  call<K extends MethodName>(method: K, args: ArgsOf<K>, options?: CallOptions): Promise<ResultOf<K>>;
}

/**
 * A loaded model as the page sees it: its key on the model thread and its config. The weights stay on
 * the model thread; hooks take this where they used to take the `GPT` itself.
 */
export interface ModelHandle {
  key: string;
  config: GPTConfig;
}

/** Where the model runs, for the device page. */
export interface ThreadInfo {
  where: 'worker' | 'main' | 'unknown';
  why: string;
}

const thread = createStore<ThreadInfo>({ where: 'unknown', why: 'The model thread starts when a cell first needs the model.' });
export const getThread = (): ThreadInfo => thread.get();
export const subscribeThread = (l: () => void): (() => void) => thread.subscribe(l);

/** A call failed on the model thread; `name` is the original error's (AbortedError, ModelLoadError, …). */
export class RemoteError extends Error {
  constructor(error: PlainError) {
    super(error.message);
    this.name = error.name;
    if (error.stack) this.stack = `${error.name}: ${error.message}\n    (on the model thread)\n${error.stack}`;
  }
}

interface Pending {
  method: MethodName;
  args: unknown;
  options: CallOptions;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Send = (request: Request) => void;

type Connect = (onReply: (reply: Reply) => void) => Send;

/** A client over any transport: `connect` gets the reply handler and returns the send function. */
export function createClient(connect: Connect): ModelClient & { switchTo(connect: Connect): void } {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  const onReply = (reply: Reply) => {
    if (reply.kind === 'backend') {
      setBackendState(reply.state);
      return;
    }
    const p = pending.get(reply.id);
    if (!p) return;
    if (reply.kind === 'progress') return p.options.onProgress?.(reply.value);
    pending.delete(reply.id);
    if (reply.kind === 'result') p.resolve(reply.value);
    else p.reject(new RemoteError(reply.error));
  };
  let send = connect(onReply);
  const post = (id: number, p: Pending) => {
    send({ kind: 'call', id, method: p.method, args: p.args });
  };
  return {
    call(method, args, options = {}) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const p: Pending = { method, args, options, resolve: resolve as (v: unknown) => void, reject };
        pending.set(id, p);
        options.signal?.addEventListener('abort', () => send({ kind: 'abort', id }), { once: true });
        post(id, p);
      });
    },
    /** Move to another transport and send every unanswered call again (the worker failed before answering). */
    switchTo(next) {
      send = next(onReply);
      for (const [id, p] of pending) post(id, p);
    },
  } as ModelClient & { switchTo(connect: Connect): void };
}

/** The engine in this thread, behind the same messages (tests, and browsers that cannot use the worker). */
export function localTransport(engine?: Engine): Connect {
  return (onReply) => {
    let handle: Send | null = null;
    const ready = Promise.all([import('./engine'), import('./protocol')]).then(([e, p]) => {
      const eng = engine ?? e.createEngine((state) => onReply({ kind: 'backend', state }));
      handle = p.serve(eng.methods, onReply);
      return handle;
    });
    return (request) => (handle ? handle(request) : void ready.then((h) => h(request)));
  };
}

let client: ModelClient | null = null;

/** The page's one model client; starts the worker (or the in-page fallback) on first use. */
export function getClient(requested: string | null = null): ModelClient {
  if (client) return client;
  const mainWhy =
    typeof Worker === 'undefined'
      ? 'This browser has no Web Workers, so the model runs on the page itself (it pauses between steps so the page can redraw).'
      : requested === 'webgl' && typeof OffscreenCanvas === 'undefined'
        ? 'WebGL needs OffscreenCanvas to run in a worker and this browser has none, so the model runs on ' +
          'the page itself (it pauses between steps so the page can redraw).'
        : null;
  if (mainWhy) {
    thread.set({ where: 'main', why: mainWhy });
    client = createClient(localTransport());
    return client;
  }
  let answered = false;
  const worker = new Worker(new URL('./kvlab.worker.ts', import.meta.url), { type: 'module', name: 'kvlab-model' });
  const c = createClient((onReply) => {
    worker.onmessage = (e: MessageEvent<Reply>) => {
      answered = true;
      onReply(e.data);
    };
    return (request) => worker.postMessage(request);
  });
  worker.onerror = (event) => {
    if (answered) return;
    // The worker script could not start (module workers unsupported, a blocked script): run in the page.
    event.preventDefault();
    worker.terminate();
    thread.set({
      where: 'main',
      why: `The model worker could not start (${event.message || 'no reason given'}), so the model runs on the page itself.`,
    });
    c.switchTo(localTransport());
  };
  thread.set({ where: 'worker', why: 'The model runs in a Web Worker, so the page stays responsive while it computes.' });
  client = c;
  return client;
}

/** Use this client from now on (tests: an in-process engine with in-memory models). */
export function setClient(next: ModelClient | null): void {
  client = next;
  started = null;
}

let started: Promise<BackendReport> | null = null;

/**
 * Start tfjs on the model thread once per page (`?backend=` honoured); the state reaches the backend
 * store as it changes. A failed start can be retried by calling again.
 */
export function startModelThread(requested: BackendName | null): Promise<BackendReport> {
  if (!started) {
    const wasmPath = new URL(assetPath('/tfjs-wasm/'), location.href).href;
    started = getClient(requested).call('init', { requested, wasmPath });
    started.catch(() => {
      started = null;
    });
  }
  return started;
}
