import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PORT = 4391;
const base = `http://127.0.0.1:${PORT}`;
let server: ChildProcess;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvlab-serve-'));
  writeFileSync(join(dir, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(dir, '404.html'), '<h1>missing</h1>');
  mkdirSync(join(dir, 'device'));
  writeFileSync(join(dir, 'device', 'index.html'), '<h1>device</h1>');
  mkdirSync(join(dir, 'tfjs-wasm'));
  writeFileSync(join(dir, 'tfjs-wasm', 'x.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, 'w.bin'), Buffer.from([1, 2, 3]));
  server = spawn(process.execPath, ['scripts/serve.js', dir], { env: { ...process.env, PORT: String(PORT) } });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => d.toString().includes('serving') && resolve());
    server.on('exit', (code) => reject(new Error(`serve.js exited with ${code}`)));
  });
});

afterAll(() => {
  server?.kill();
});

describe('scripts/serve.js', () => {
  it('serves index.html for / and for a folder with a trailing slash', async () => {
    expect(await (await fetch(`${base}/`)).text()).toBe('<h1>home</h1>');
    const res = await fetch(`${base}/device/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('<h1>device</h1>');
  });

  it('redirects a folder without its trailing slash, keeping the query', async () => {
    const res = await fetch(`${base}/device?backend=wasm`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/device/?backend=wasm');
  });

  it('serves .wasm as application/wasm and .bin as octet-stream', async () => {
    expect((await fetch(`${base}/tfjs-wasm/x.wasm`)).headers.get('content-type')).toBe('application/wasm');
    expect((await fetch(`${base}/w.bin`)).headers.get('content-type')).toBe('application/octet-stream');
  });

  it('answers 404 with the exported 404 page and refuses to leave its folder', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('<h1>missing</h1>');
    expect((await fetch(`${base}/..%2f..%2fetc/passwd`)).status).toBe(404);
  });
});
