#!/usr/bin/env node
// Runs the race lesson's own measurement on each tfjs backend and prints a markdown table.
// Not part of `npm test`: on machines without a GPU, WebGPU runs on SwiftShader and this takes long.
//
// Usage (after `npm run build`):
//   node scripts/race-report.js [--backends webgpu,webgl,wasm,cpu] [--tokens 32,128,256]
//                               [--sizes austen,10m,85m] [--repeats 1] [--timeout-min 10] [--port 4180]
// Drives /lessons/race/?backend=<b>&race.size=<s>&race.tokens=<n>&race.repeats=<r>&autorun=1 and reads the result the page
// writes on its summary (data-naive-median, data-cached-median, data-speedup, data-tokens-match), and
// the last step's naive and cached ms with its position (prompt + tokens − 1), to set beside
// `kvlab bench --positions` at the same positions.
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const backends = arg('backends', 'webgpu,webgl,wasm,cpu').split(',');
const tokenCounts = arg('tokens', '32,128,256').split(',').map(Number);
// Model sizes (lib/lessons/sizes.ts): austen, or a timing model with random weights drawn on the page.
const sizes = arg('sizes', 'austen').split(',');
const repeats = Number(arg('repeats', '1'));
const timeoutMs = Number(arg('timeout-min', '10')) * 60_000;
const port = Number(arg('port', '4180'));
const base = `http://127.0.0.1:${port}`;

async function waitForServer(url, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the static server did not answer at ${url}; run \`npm run build\` first`);
}

/** One table row (also logged as each run finishes, so a stopped report keeps what it measured). */
function line(r) {
  if (r.failed) return `| ${r.backend} | ${r.size} | ${r.tokens} | — | — | — | did not finish: ${r.failed} | | | | |`;
  return (
    `| ${r.backend} | ${r.size} | ${r.tokens} | ${r.naive.toFixed(2)} | ${r.cached.toFixed(2)} | ${r.speedup.toFixed(2)}× | ${r.match} ` +
    `| ${r.position} | ${r.lastNaive.toFixed(2)} | ${r.lastCached.toFixed(2)} | ${(r.lastNaive / r.lastCached).toFixed(2)}× |`
  );
}

const server = spawn(process.execPath, ['bin/kvlab.js', 'serve', '--results', 'test-results/class-results.jsonl'], {
  env: { ...process.env, PORT: String(port) },
  stdio: 'ignore',
});
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const rows = [];
try {
  await waitForServer(`${base}/`);
  for (const backend of backends) {
    for (const size of sizes)
      for (const tokens of tokenCounts) {
        const page = await browser.newPage();
        const started = Date.now();
        try {
          await page.goto(
            `${base}/lessons/race/?backend=${backend}&race.size=${size}&race.tokens=${tokens}&race.repeats=${repeats}&autorun=1`,
          );
          const ran = await page.locator('header [data-backend]').getAttribute('data-backend', { timeout: 120_000 });
          await page.locator('[data-race-status="done"], [data-race-status="error"]').waitFor({ timeout: timeoutMs });
          const s = page.locator('[data-race-summary]');
          if ((await s.count()) === 0) throw new Error(await page.locator('.race-results .error').innerText());
          const get = (a) => s.getAttribute(a);
          const row = {
            backend: (await get('data-backend')) ?? ran,
            size,
            tokens: Number(await get('data-tokens')),
            naive: Number(await get('data-naive-median')),
            cached: Number(await get('data-cached-median')),
            speedup: Number(await get('data-speedup')),
            match: await page.locator('[data-tokens-match]').getAttribute('data-tokens-match'),
            position: Number(await get('data-prompt-length')) + Number(await get('data-tokens')) - 1,
            lastNaive: Number(await get('data-last-naive')),
            lastCached: Number(await get('data-last-cached')),
            minutes: (Date.now() - started) / 60_000,
          };
          rows.push(row);
          console.error(`${backend} ${size} ${tokens}: done in ${row.minutes.toFixed(1)} min — ${line(row)}`);
        } catch (err) {
          rows.push({ backend, size, tokens, failed: String(err.message ?? err).split('\n')[0] });
          console.error(`${backend} ${size} ${tokens}: did not finish (${String(err.message ?? err).split('\n')[0]})`);
        } finally {
          await page.close();
        }
      }
  }
} finally {
  await browser.close();
  server.kill();
}

console.log(
  `| backend | size | tokens | naive ms/token (median, decode steps) | cached ms/token (median, decode steps) | speedup | tokens match ` +
    `| last step's position | naive ms there | cached ms there | ratio there |`,
);
console.log(`| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |`);
for (const r of rows) console.log(line(r));
