/**
 * Gives the event loop a turn between model steps (so an abort message, a paint or a Cancel click is
 * handled) without setTimeout's 4 ms clamp. The model thread calls it between steps, in the worker and
 * in the main-thread fallback alike.
 */
export function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** A long job (race, sweep, prefill) stopped by its signal between two steps. */
export class AbortedError extends Error {
  override name = 'AbortedError';
  constructor() {
    super('Stopped before it finished.');
  }
}
