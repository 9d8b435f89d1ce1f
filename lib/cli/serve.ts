/**
 * `kvlab serve`: the classroom server. Serves out/ on 127.0.0.1 (PORT or --port, default 3000); with
 * --lan it listens on the machine's addresses and prints each URL and a QR code for the projector, so
 * a room joins over local wifi with no internet. Class results go to --results (a JSONL file).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildServer } from '../server/app';
import { lanAddresses, terminalQr } from '../server/lan';
import { num, parse, str, UsageError } from '../../scripts/cli-args';

export const SERVE_HELP = `       kvlab serve [--port N] [--lan] [--dir out] [--results class-results/results.jsonl] [--log]`;

export async function runServe(args: string[]): Promise<void> {
  const f = parse(args, {
    port: { type: 'string' },
    lan: { type: 'boolean' },
    dir: { type: 'string' },
    results: { type: 'string' },
    log: { type: 'boolean' },
  });
  const port = num('port', str(f.port) ?? process.env.PORT, 3000, { int: true, min: 0, max: 65535 });
  const root = resolve(str(f.dir) ?? 'out');
  if (!existsSync(root)) throw new UsageError(`${root} does not exist — build the site first (npm run build)`);
  const resultsFile = resolve(str(f.results) ?? 'class-results/results.jsonl');
  const lan = Boolean(f.lan);
  const host = lan ? '0.0.0.0' : (process.env.HOST ?? '127.0.0.1');
  const app = await buildServer({
    root,
    resultsFile,
    onLog: f.log || process.env.SERVE_LOG ? (line) => console.log(line) : undefined,
  });
  try {
    await app.listen({ port, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${port} is already in use — stop the other server or pick another port: kvlab serve --port ${port + 1}`);
    if (code === 'EACCES') throw new UsageError(`no permission to listen on port ${port} — use a port above 1023`);
    throw err;
  }
  const bound = (app.server.address() as { port: number }).port;
  console.log(`KV Cache Lab: serving ${root}`);
  console.log(`Class results: ${resultsFile}`);
  if (!lan) {
    console.log(`Open http://${host}:${bound}/  (this machine only; add --lan to let a room join)`);
  } else {
    const addrs = lanAddresses();
    if (!addrs.length) console.log(`No network address found: only http://127.0.0.1:${bound}/ works. Join a wifi network and restart.`);
    for (const a of addrs) console.log(`Open http://${a}:${bound}/  — class results at http://${a}:${bound}/class/`);
    if (addrs.length) {
      console.log('\nScan to join:\n');
      console.log(terminalQr(`http://${addrs[0]}:${bound}/`));
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
}
