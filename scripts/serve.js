#!/usr/bin/env node
// A tiny dependency-free static server for the exported site in out/. Binds 127.0.0.1 only.
// Usage: node scripts/serve.js [dir]   (PORT env, default 3000)
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(fileURLToPath(new URL('..', import.meta.url)), 'out'));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

if (!existsSync(root)) {
  console.error(`serve: ${root} does not exist — run \`npm run build\` first.`);
  process.exit(1);
}

const isFile = (p) => existsSync(p) && statSync(p).isFile();

/** Map a URL path to a file the way a static host serves Next's export (trailingSlash: true). */
function resolveFile(urlPath) {
  const safe = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.(\/|\\|$))+/, '');
  const base = join(root, safe);
  if (base !== root && !base.startsWith(root + sep)) return null;
  for (const candidate of [base, join(base, 'index.html'), `${base}.html`]) {
    if (isFile(candidate)) return candidate;
  }
  return null;
}

const log = Boolean(process.env.SERVE_LOG);

const server = createServer((req, res) => {
  if (log) res.on('finish', () => console.log(res.statusCode, req.method, req.url));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname;
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    res.writeHead(400).end();
    return;
  }
  // /device → /device/ like the exported folders expect (relative URLs stay right).
  if (!pathname.endsWith('/') && !extname(pathname) && isFile(join(root, pathname, 'index.html'))) {
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    res.writeHead(308, { Location: `${pathname}/${query}` }).end();
    return;
  }
  let file = resolveFile(pathname);
  let status = 200;
  if (!file) {
    status = 404;
    file = resolveFile('/404.html');
  }
  const headers = {
    'Content-Type': TYPES[extname(file ?? '').toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': pathname.startsWith('/_next/static/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': statSync(file).size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
});

server.listen(port, host, () => {
  console.log(`KV Cache Lab: serving ${root} at http://${host}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
