import type { FastifyInstance } from 'fastify';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '@/lib/server/app';
import { canonicalPath, locationFor } from '@/lib/server/paths';
import { inlineScriptHashes } from '@/lib/server/headers';

const INLINE = 'self.__next_f.push([1,"x"])';
let dir: string;
let results: string;
let app: FastifyInstance;

function site(): string {
  const root = mkdtempSync(join(tmpdir(), 'kvlab-site-'));
  writeFileSync(join(root, 'index.html'), `<h1>home</h1><script src="/_next/a.js"></script><script>${INLINE}</script>`);
  writeFileSync(join(root, '404.html'), '<h1>missing</h1>');
  mkdirSync(join(root, 'device'));
  writeFileSync(join(root, 'device', 'index.html'), '<h1>device</h1>');
  mkdirSync(join(root, 'tfjs-wasm'));
  writeFileSync(join(root, 'tfjs-wasm', 'x.wasm'), Buffer.from([0, 97, 115, 109]));
  mkdirSync(join(root, '_next', 'static'), { recursive: true });
  writeFileSync(join(root, '_next', 'static', 'a.js'), 'console.log(1)');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  return root;
}

const good = {
  kind: 'race',
  nickname: 'Elinor',
  device: 'Apple M2',
  backend: 'webgpu',
  model: 'austen',
  tokens: 128,
  repeats: 3,
  naiveMedianMs: 40,
  cachedMedianMs: 10,
  tokensMatch: true,
};

beforeEach(async () => {
  dir = site();
  results = join(mkdtempSync(join(tmpdir(), 'kvlab-results-')), 'results.jsonl');
  app = await buildServer({ root: dir, resultsFile: results });
});
afterEach(async () => {
  await app.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });
const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: '/api/results', payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers });

describe('canonicalPath', () => {
  it('resolves dot segments and empty segments without climbing above the root', () => {
    expect(canonicalPath('/.//device')).toEqual({ segments: ['device'], trailingSlash: false, changed: true });
    expect(canonicalPath('/../../etc/passwd').segments).toEqual(['etc', 'passwd']);
    expect(canonicalPath('/a/b/')).toEqual({ segments: ['a', 'b'], trailingSlash: true, changed: false });
    expect(canonicalPath('/..%2f..%2fetc').segments).toEqual(['etc']);
  });
  it('never builds a Location that names another host', () => {
    for (const p of ['/.//device', '//evil.com', '/%2F%2Fevil.com', '/\\evil.com', '/%5Cevil.com/']) {
      const c = canonicalPath(p);
      const loc = locationFor(c.segments, true);
      expect(loc.startsWith('//') || loc.startsWith('/\\')).toBe(false);
      expect(new URL(loc, 'http://lab.local').host).toBe('lab.local');
    }
  });
});

describe('kvlab serve: static files', () => {
  it('serves the home page and a folder with a trailing slash, with the security headers', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>home</h1>');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-inline' 'wasm"); // scripts are allowed by hash, not wholesale
    expect(csp).not.toMatch(/https?:/);
    expect(csp).toContain(inlineScriptHashes(`<script>${INLINE}</script>`)[0]);
    expect((await get('/device/')).body).toBe('<h1>device</h1>');
  });

  it('redirects a folder without its slash, keeping the query, and /.//device to /device/ (not //device/)', async () => {
    const a = await get('/device?backend=wasm');
    expect(a.statusCode).toBe(308);
    expect(a.headers.location).toBe('/device/?backend=wasm');
    const b = await get('/.//device');
    expect(b.statusCode).toBe(308);
    expect(b.headers.location).toBe('/device/');
    for (const url of ['//device', '///device/', '/%2F/device', '/\\device']) {
      const r = await get(url);
      expect(String(r.headers.location ?? '/')).not.toMatch(/^\/[/\\]/);
    }
  });

  it('answers 400 for a malformed escape instead of crashing, and keeps serving', async () => {
    for (const url of ['/%', '/%zz', '/lessons/%E0%A4%A', '/a%00b']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('malformed');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get('/')).statusCode).toBe(200);
  });

  it('answers 404 with the exported 404 page and never leaves its folder', async () => {
    const res = await get('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('<h1>missing</h1>');
    for (const url of ['/..%2f..%2fetc/passwd', '/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/hostname', '/.env', '/tfjs-wasm/x.wasm/']) {
      const r = await get(url);
      expect([404, 308], url).toContain(r.statusCode);
      expect(r.body).not.toContain('SECRET');
      expect(r.body).not.toContain('root:');
    }
  });

  it('serves .wasm as application/wasm and /_next/static/ as immutable', async () => {
    const w = await get('/tfjs-wasm/x.wasm');
    expect(w.statusCode).toBe(200);
    expect(w.headers['content-type']).toBe('application/wasm');
    expect(w.rawPayload).toEqual(Buffer.from([0, 97, 115, 109]));
    expect(String((await get('/_next/static/a.js')).headers['cache-control'])).toContain('immutable');
  });

  it('answers 405 with Allow for methods a static file does not take, and HEAD like GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await app.inject({ method, url: '/device/' });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    const head = await app.inject({ method: 'HEAD', url: '/device/' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 431 to an oversized request head on a real socket', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('end', () => resolve(data));
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431/);
  });
});

describe('kvlab serve: class results', () => {
  it('accepts a valid result, computes its speedup and lists it', async () => {
    const res = await post(good);
    expect(res.statusCode).toBe(201);
    expect(res.json().result.speedup).toBe(4);
    const list = (await get('/api/results')).json().results;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ nickname: 'Elinor', backend: 'webgpu', speedup: 4 });
    expect((await get('/api/health')).json()).toEqual({ server: 'kvlab', results: true });
  });

  it('answers 400 to bad JSON and to results that break the schema', async () => {
    expect((await post('{"kind": "race",')).statusCode).toBe(400);
    const bad = [
      { ...good, extra: 1 },
      { ...good, tokens: 0 },
      { ...good, tokens: 1.5 },
      { ...good, naiveMedianMs: -1 },
      { ...good, cachedMedianMs: 0 },
      { ...good, backend: 'Web GPU!' },
      { ...good, nickname: 'x'.repeat(33) },
      { ...good, nickname: '<script>' },
      { ...good, kind: 'other' },
      { ...good, tokens: '128' },
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'device')),
      [good],
    ];
    for (const b of bad) expect((await post(b)).statusCode, JSON.stringify(b)).toBe(400);
    expect((await get('/api/results')).json().results).toHaveLength(0);
  });

  it('answers 413 to an oversized body, 415 to a non-JSON body and 405 to other methods', async () => {
    const big = await post({ ...good, device: 'x'.repeat(10_000) });
    expect(big.statusCode).toBe(413);
    expect((await post(JSON.stringify(good), { 'content-type': 'text/plain' })).statusCode).toBe(415);
    const del = await app.inject({ method: 'DELETE', url: '/api/results' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, POST');
    expect((await get('/api/nothing')).statusCode).toBe(404);
  });

  it('keeps results across a restart', async () => {
    await post(good);
    await post({ ...good, backend: 'wasm', nickname: undefined });
    await app.close();
    app = await buildServer({ root: dir, resultsFile: results });
    const list = (await get('/api/results')).json().results;
    expect(list.map((r: { backend: string }) => r.backend)).toEqual(['webgpu', 'wasm']);
  });

  it('skips a torn last line after a crash and starts the next result on a fresh line', async () => {
    await post(good);
    await app.close();
    appendFileSync(results, '{"kind":"race","device":"torn');
    app = await buildServer({ root: dir, resultsFile: results });
    expect((await get('/api/results')).json().results).toHaveLength(1);
    expect((await post({ ...good, backend: 'cpu' })).statusCode).toBe(201);
    await app.close();
    app = await buildServer({ root: dir, resultsFile: results });
    const list = (await get('/api/results')).json().results;
    expect(list.map((r: { backend: string }) => r.backend)).toEqual(['webgpu', 'cpu']);
    expect(readFileSync(results, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('without a results file, the API says so and the health check tells the page not to offer sharing', async () => {
    await app.close();
    app = await buildServer({ root: dir });
    expect((await get('/api/health')).json().results).toBe(false);
    expect((await post(good)).statusCode).toBe(404);
  });
});

describe('kvlab serve: the command', () => {
  it('says in one line, without a stack trace, that a busy port is busy', async () => {
    const { spawnSync } = await import('node:child_process');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const r = spawnSync(process.execPath, ['bin/kvlab.js', 'serve', '--dir', dir, '--port', String(port), '--results', results], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `kvlab: port ${port} is already in use — stop the other server or pick another port: kvlab serve --port ${port + 1}`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
