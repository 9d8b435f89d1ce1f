import { expect, test } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { collectErrors } from './pages';

/** "How big is the cache?" on wasm: the calculator, its chart and table, and the austen preset against the live cache. */
test.setTimeout(240_000);

const PAGE = '/lessons/how-big-is-the-cache/?backend=wasm';

test('calculator: presets give the formula, custom values update it, bad values say so; chart with table', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(PAGE);
  const cell = page.locator('[data-cell="cache-size"]');
  // Default: Llama 3.1 8B, fp16, 131,072 tokens → 131,072 bytes per token, 16 GiB.
  await expect(cell.locator('[data-bytes-per-token]')).toHaveAttribute('data-bytes-per-token', '131072');
  await expect(cell.locator('[data-total-bytes]')).toHaveAttribute('data-total-bytes', String(131072 * 131072));
  await expect(cell.locator('[data-formula]')).toContainText(
    '2 · 32 layers · 8 KV heads · 128 head size · 2 bytes = 131,072 bytes per token',
  );

  await cell.getByLabel('Model').selectOption('deepseek-v3');
  await expect(cell.locator('[data-bytes-per-token]')).toHaveAttribute('data-bytes-per-token', String(61 * 576 * 2));
  await expect(cell.getByLabel('Latent size')).toHaveValue('512');

  await cell.getByLabel('Model').selectOption('llama-3.1-70b');
  await cell.getByLabel('Context (tokens)').fill('2500');
  await cell.getByLabel('Sequences at once').fill('4');
  await expect(cell.locator('[data-total-bytes]')).toHaveAttribute('data-total-bytes', String(327680 * 2500 * 4));
  await cell.getByLabel('Key/value heads').fill('64'); // editing makes it custom
  await expect(cell.getByLabel('Model')).toHaveValue('custom');
  await expect(cell.locator('[data-bytes-per-token]')).toHaveAttribute('data-bytes-per-token', String(2 * 80 * 64 * 128 * 2));

  const chart = cell.locator('[data-chart="cache-size"]');
  await expect(chart.locator('svg').first()).toBeVisible();
  await chart.getByText('Show the numbers').click();
  await expect(chart.locator('tbody tr')).toHaveCount(17);
  await expect(chart.locator('thead')).toContainText('GPU memory');

  await cell.getByLabel('Context (tokens)').fill('0');
  await expect(cell.getByRole('alert')).toContainText('context must be an integer ≥ 1');
  await cell.getByRole('button', { name: 'Reset' }).click();
  await expect(cell.locator('[data-bytes-per-token]')).toHaveAttribute('data-bytes-per-token', '131072');

  await expect(page.locator('[data-myth="llama-8b"]')).toHaveAttribute('data-ratio', '4');
  await expect(page.locator('[data-myth="70b"] tbody tr')).toHaveCount(5);
  expect(errors).toEqual([]);
});

test('the austen preset equals the bytes the running cache holds, step by step (wasm)', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(PAGE);
  const cell = page.locator('[data-cell="live-cache-bytes"]');
  await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
  await cell.getByRole('button', { name: 'Step' }).click();
  await expect
    .poll(async () => Number(await cell.locator('[data-cache-len]').getAttribute('data-cache-len')), { timeout: 120_000 })
    .toBeGreaterThan(0);
  const P = Number(await cell.locator('[data-cache-len]').getAttribute('data-cache-len'));
  await cell.getByRole('button', { name: 'Step' }).click();
  await expect(cell.locator('[data-cache-len]')).toHaveAttribute('data-cache-len', String(P + 1), { timeout: 120_000 });
  const expected = String(4096 * (P + 1));
  await expect(cell.locator('[data-read-bytes]')).toHaveAttribute('data-read-bytes', expected);
  await expect(cell.locator('[data-cache-bytes]')).toHaveAttribute('data-cache-bytes', expected);
  await expect(cell.locator('[data-formula-bytes]')).toHaveAttribute('data-formula-bytes', expected);
  await expect(cell.locator('[data-equal]')).toHaveAttribute('data-equal', 'true');
  await expect(page.locator('header [data-backend]')).toHaveAttribute('data-backend', 'wasm');
  expect(errors).toEqual([]);
});

test('cache-size lesson: no serious axe violations, light and dark', async ({ page }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(PAGE);
    await expect(page.locator('[data-cell="live-cache-bytes"] [data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
    expect(await seriousAxeViolations(page), colorScheme).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(PAGE);
  const live = page.locator('[data-cell="live-cache-bytes"]');
  await expect(live.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
  await live.getByRole('button', { name: 'Step' }).click();
  await expect(live.locator('[data-equal]')).toBeVisible({ timeout: 120_000 });
  await page.screenshot({ path: 'test-results/screens/how-big-is-the-cache.png', fullPage: true });
});
