/** Where a room can reach the server: the machine's own network addresses, and a QR code for one. */
import { networkInterfaces } from 'node:os';
import { renderUnicodeCompact } from 'uqr';

/** The machine's non-internal IPv4 addresses (what a phone on the same wifi can reach), in a stable order. */
export function lanAddresses(interfaces = networkInterfaces()): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return [...new Set(out)].sort();
}

/** A QR code of `text` drawn with half-block characters, two rows per line, for a terminal. */
export function terminalQr(text: string): string {
  return renderUnicodeCompact(text, { border: 2 });
}
