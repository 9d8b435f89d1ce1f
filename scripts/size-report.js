#!/usr/bin/env node
// First-load JavaScript of each exported page: the sum of the <script src> chunks its HTML loads
// (Next 16 no longer prints sizes). Also says whether any of them contains tfjs.
// Usage: node scripts/size-report.js [route ...]   (default: every page in out/)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('../out', import.meta.url));

function pages(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === '_next' ? [] : pages(p);
    return name === 'index.html' ? [p] : [];
  });
}

/** Bytes (raw and gzipped) of the scripts one exported HTML page loads up front, and whether tfjs is among them. */
export function firstLoad(htmlPath) {
  const html = readFileSync(htmlPath, 'utf8');
  const srcs = [...new Set([...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]))];
  let raw = 0;
  let gzip = 0;
  let tfjs = false;
  for (const src of srcs) {
    const body = readFileSync(join(out, src.replace(/^\//, '').split('?')[0]));
    raw += body.length;
    gzip += gzipSync(body).length;
    // Strings only tfjs itself contains (our own code names backends too, so 'webgpu' alone proves nothing).
    if (/registerKernel|WEBGPU_USE_LOW_POWER_GPU|WEBGL_VERSION/.test(body.toString('utf8'))) tfjs = true;
  }
  return { scripts: srcs.length, raw, gzip, tfjs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const routes = process.argv.slice(2);
  const files = routes.length ? routes.map((r) => join(out, r, 'index.html')) : pages(out);
  for (const f of files) {
    const r = firstLoad(f);
    const route = '/' + relative(out, f).replace(/index\.html$/, '');
    console.log(
      `${route.padEnd(36)} ${(r.raw / 1024).toFixed(1).padStart(7)} kB (${(r.gzip / 1024).toFixed(1)} ` +
        `kB gzip) in ${r.scripts} scripts${r.tfjs ? '  [contains tfjs]' : ''}`,
    );
  }
}
