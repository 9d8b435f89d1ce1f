import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { RUN_UP } from '../../lib/bench/schedule';
import { collectErrors } from './pages';

test.describe.configure({ timeout: 420_000 });

/** The bench page on `backend`, once its Measure button is enabled: the cell and that button. */
async function openBench(page: Page, backend: 'wasm' | 'webgpu', timeout = 120_000) {
  await page.goto(`/bench/?backend=${backend}`);
  const cell = page.locator('[data-cell="bench"]');
  const measure = cell.getByRole('button', { name: 'Measure' });
  await expect(measure).toBeEnabled({ timeout });
  return { cell, measure };
}

test('the bench page measures the smallest configuration on wasm, shows the table and downloads the JSON', async ({ page }) => {
  const errors = collectErrors(page);
  const { cell, measure } = await openBench(page, 'wasm');
  await cell.getByLabel(/Positions/).fill('16, 32');
  await measure.click();
  await expect(cell.locator('[data-bench-status="done"]')).toBeAttached({ timeout: 360_000 });
  expect(await page.evaluate(() => (window as unknown as { __kvlab: { backend(): string } }).__kvlab.backend())).toBe('wasm');
  // Two positions × two paths, each with a median and its spread.
  await expect(cell.locator('[data-bench-table] tbody tr')).toHaveCount(4);
  await expect(cell.locator('[data-bench-table] tbody tr').first()).toContainText(/^16reference[\d.]+ \([\d.]+–[\d.]+\)/);
  await expect(cell.locator('[data-chart="bench-chart"] table tbody tr')).toHaveCount(2);
  // The sentence under the table fits the table's own fast-path medians (not the short probe's).
  await expect(cell.locator('[data-crossover]')).toContainText(/a naive step on the fast path \(the medians above\) costs about/);
  const delta = Number(await cell.locator('[data-fast-delta]').getAttribute('data-fast-delta'));
  expect(delta).toBeLessThanOrEqual(1e-4);
  const [download] = await Promise.all([page.waitForEvent('download'), cell.getByRole('button', { name: 'Download JSON' }).click()]);
  const json = JSON.parse(await readFile((await download.path())!, 'utf8'));
  // bench/results.json's format: the original row fields, plus the path.
  expect(json.config.nLayer).toBe(4);
  expect(json.repeats).toBe(21);
  expect(json.rows).toHaveLength(4);
  for (const key of ['backend', 'position', 'naiveMs', 'cachedMs', 'speedup', 'cachedTokPerS', 'boundMs', 'share', 'path'])
    expect(json.rows[0]).toHaveProperty(key);
  expect(json.rows[0].naiveSpread.n).toBe(21);
  // The bound's rate: SIMD WebAssembly reading as many bytes as each position's step, on the page as in the CLI.
  expect(json.bandwidth.method).toMatch(/^SIMD WebAssembly read of as many bytes as a cached step at each position reads/);
  expect(json.bandwidth.bytesPerSecond).toBeGreaterThan(1e8);
  expect(json.bandwidth.perPosition.map((r: { position: number }) => r.position)).toEqual([16, 32]);
  expect(json.rows[0].readBytesPerSecond).toBe(json.bandwidth.perPosition[0].bytesPerSecond);
  await expect(cell.locator('[data-bound-note]')).toContainText(/16: [\d.]+ GB\/s over [\d.]+ MB; 32: /);
  // The clock the page read: where it ticks coarsely (0.1 ms outside cross-origin isolation), short steps
  // were timed back to back, and the caption says so.
  expect(json.clock.tickMs).toBeGreaterThan(0);
  expect(json.clock.minSampleMs).toBe(json.clock.tickMs > 0.005 ? 20 * json.clock.tickMs : 0);
  if (json.clock.minSampleMs > 0) await expect(cell.locator('[data-bench-table] caption')).toContainText('clock ticks every');
  // Each timed step came after cached run-ups, as in the CLI, and the table says so.
  expect(json.runUp).toBe(RUN_UP);
  await expect(cell.locator('[data-bench-table] caption')).toContainText(`after ${RUN_UP} untimed cached steps`);
  expect(errors).toEqual([]);
});

test('on wasm the page can time a static cache beside the full one, and says what its rows are', async ({ page }) => {
  const errors = collectErrors(page);
  const { cell, measure } = await openBench(page, 'wasm');
  await cell.getByLabel(/Positions/).fill('16, 48');
  await cell.getByLabel('Warm-up rounds').fill('1');
  await cell.getByLabel('Timed rounds').fill('3');
  const box = cell.getByRole('checkbox', { name: /Also time a static cache/ });
  await box.focus();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked();
  await measure.click();
  await expect(cell.locator('[data-bench-status="done"]')).toBeAttached({ timeout: 360_000 });
  // Two positions × three paths; the static rows after the fast ones, with their own kernel counts.
  await expect(cell.locator('[data-bench-table] tbody tr')).toHaveCount(6);
  await expect(cell.locator('[data-bench-table] tbody tr').nth(2)).toContainText(/^16static[\d.]+ \([\d.]+–[\d.]+\)/);
  await expect(cell.locator('[data-static-note]')).toContainText('reserves the whole context');
  const [download] = await Promise.all([page.waitForEvent('download'), cell.getByRole('button', { name: 'Download JSON' }).click()]);
  const json = JSON.parse(await readFile((await download.path())!, 'utf8'));
  const stat = json.rows.filter((r: { path: string }) => r.path === 'static');
  expect(stat.map((r: { position: number }) => r.position)).toEqual([16, 48]);
  expect(stat[0].cachedSpread.n).toBe(3);
  expect(stat[0].cachedKernels).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('on WebGPU (SwiftShader here) the fused decode attention gives the reference logits', async ({ page }) => {
  const errors = collectErrors(page);
  const { cell, measure } = await openBench(page, 'webgpu', 180_000);
  expect(await page.evaluate(() => (window as unknown as { __kvlab: { backend(): string } }).__kvlab.backend())).toBe('webgpu');
  await cell.getByLabel(/Positions/).fill('40');
  await cell.getByLabel('Warm-up rounds').fill('0');
  await cell.getByLabel('Timed rounds').fill('1');
  await measure.click();
  // Equality only: speed is never asserted on a software GPU.
  const shown = cell.locator('[data-fast-delta]');
  await expect(shown).toBeAttached({ timeout: 360_000 });
  expect(Number(await shown.getAttribute('data-fast-delta'))).toBeLessThanOrEqual(1e-4);
  await expect(cell.locator('[data-bench-status="done"]')).toBeAttached({ timeout: 360_000 });
  await expect(cell.locator('[data-bench-table] tbody tr')).toHaveCount(2);
  expect(errors).toEqual([]);
});
