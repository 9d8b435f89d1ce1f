/**
 * Gives the event loop a turn between model steps (so the page paints and a Cancel click is seen)
 * without setTimeout's 4 ms clamp. The model worker has the same helper (yieldToLoop); once it lands
 * the lessons' loops run there and this stays for the main-thread fallback.
 */
export function nextTask(): Promise<void> {
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
