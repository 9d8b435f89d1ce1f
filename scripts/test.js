#!/usr/bin/env node
// The whole test suite: ESLint, TypeScript, Vitest, `next build`, then Playwright against the built
// site. Its last line is always the plain `N passed, N failed` the CI reads (skipped tests, if any, are
// counted on the line before), counting lint, format and typecheck as one check each; the exit
// status is non-zero when anything failed.
//
// Usage: node scripts/test.js [--only unit|e2e]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = (() => {
  const i = process.argv.indexOf('--only');
  const value = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  if (value && !['unit', 'e2e'].includes(value)) {
    console.error(`test: --only takes "unit" or "e2e", not "${value}"`);
    process.exit(2);
  }
  return value ?? null;
})();

const reports = join(root, 'test-results');
mkdirSync(reports, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' };
const totals = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

function run(label, command, args, extraEnv = {}) {
  console.log(`\n── ${label}: ${[command, ...args].join(' ')}`);
  const t0 = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  console.log(
    `── ${label}: ${result.status === 0 ? 'ok' : `failed (exit ${result.status ?? result.signal})`} ` +
      `in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return result.status === 0;
}

function check(label, ok) {
  if (ok) totals.passed++;
  else totals.failed++;
  if (!ok) console.log(`✗ ${label} failed`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Find Chromium, installing Debian's package when we are root with apt-get; exit with advice otherwise. */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.env.CHROMIUM_PATH) {
    console.error(`test: CHROMIUM_PATH=${path} does not exist. Point it at a Chromium or Chrome binary.`);
    process.exit(1);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.log('test: Chromium not found; installing Debian\'s "chromium" package with apt-get…');
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const ok =
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env: aptEnv }).status === 0 &&
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: aptEnv }).status === 0;
    if (ok && existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
    console.error('test: apt-get could not install chromium.');
  }
  console.error(
    [
      'test: the browser tests need Chromium and none was found at /usr/bin/chromium.',
      '  On Debian or Ubuntu, install it with:  sudo apt-get update && sudo apt-get install -y chromium',
      '  Or point CHROMIUM_PATH at an existing Chromium/Chrome binary:  CHROMIUM_PATH=/path/to/chrome npm test',
    ].join('\n'),
  );
  process.exit(1);
}

const wantE2e = only !== 'unit';
const chromium = wantE2e ? ensureChromium() : null;

if (!only) {
  check('lint', run('ESLint', 'npx', ['eslint', '.', '--max-warnings=0']));
  check('format', run('Prettier', 'npx', ['prettier', '--check', '.', '--log-level=warn']));
  check('typecheck', run('TypeScript', 'npx', ['tsc', '--noEmit']));
}

if (only !== 'e2e') {
  const out = join(reports, 'vitest.json');
  rmSync(out, { force: true });
  const ok = run('Vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out);
  if (report) {
    totals.passed += report.numPassedTests ?? 0;
    totals.failed += report.numFailedTests ?? 0;
    totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file that fails to load has no tests to count: count it as one failure.
    if (!ok && !report.numFailedTests) totals.failed += Math.max(1, report.numFailedTestSuites ?? 0);
  } else {
    check('vitest (no report written)', false);
  }
}

if (wantE2e) {
  const built = run('Build', 'npm', ['run', 'build']);
  check('build', built);
  if (built) {
    const out = join(reports, 'playwright.json');
    rmSync(out, { force: true });
    const ok = run('Playwright', 'npx', ['playwright', 'test'], { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
    const report = readJson(out);
    if (report?.stats) {
      totals.passed += report.stats.expected ?? 0;
      totals.failed += (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0);
      totals.skipped += report.stats.skipped ?? 0;
      if (!ok && !report.stats.unexpected && !report.stats.flaky) totals.failed += 1;
    } else {
      check('playwright (no report written)', false);
    }
  }
}

console.log(`\nTotal time ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (totals.skipped) console.log(`${totals.skipped} skipped (not counted below)`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
