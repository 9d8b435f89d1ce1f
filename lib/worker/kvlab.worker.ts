/**
 * The model thread: a dedicated Web Worker that owns tfjs, the backend, the loaded models, their
 * caches and the live generators, so that a race or a sweep never blocks the page. Everything it
 * does is in engine.ts; this file only connects it to the worker's message port.
 */
import { createEngine } from './engine';
import { serve, type Reply, type Request } from './protocol';

const scope = self as unknown as { postMessage(m: Reply): void; onmessage: ((e: MessageEvent<Request>) => void) | null };
const post = (reply: Reply) => scope.postMessage(reply);
const engine = createEngine((state) => post({ kind: 'backend', state }));
const handle = serve(engine.methods, post);
scope.onmessage = (event) => handle(event.data);
