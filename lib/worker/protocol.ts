/**
 * The messages between the page and the model thread: a call by method name with one plain argument,
 * an abort by call id, and replies (result, error, progress) plus the backend state as it changes.
 * `serve` is the receiving end; it runs inside the worker, or in the page when the model must run there.
 */
import type { BackendState } from '../backend/store';
import type { CallContext, MethodName, Methods } from './engine';

export type Request = { kind: 'call'; id: number; method: MethodName; args: unknown } | { kind: 'abort'; id: number };

/** An error as plain values: `name` keeps its type (AbortedError, ModelLoadError, …) for the UI. */
export interface PlainError {
  name: string;
  message: string;
  /** Where it was thrown on the model thread (for the console; the UI shows the message). */
  stack?: string;
}

export type Reply =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: PlainError }
  | { kind: 'progress'; id: number; value: unknown }
  | { kind: 'backend'; state: BackendState };

export function plainError(error: unknown): PlainError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** Answer requests with `methods`, one controller per call so an abort reaches the running method. */
export function serve(methods: Methods, post: (reply: Reply) => void): (request: Request) => void {
  const running = new Map<number, AbortController>();
  return (request) => {
    if (request.kind === 'abort') {
      running.get(request.id)?.abort();
      return;
    }
    const { id, method, args } = request;
    const controller = new AbortController();
    running.set(id, controller);
    const ctx: CallContext = { signal: controller.signal, progress: (value) => post({ kind: 'progress', id, value }) };
    const fn = methods[method] as (args: unknown, ctx: CallContext) => Promise<unknown>;
    Promise.resolve()
      .then(() => fn(args, ctx))
      .then(
        (value) => post({ kind: 'result', id, value }),
        (error: unknown) => post({ kind: 'error', id, error: plainError(error) }),
      )
      .finally(() => running.delete(id));
  };
}
