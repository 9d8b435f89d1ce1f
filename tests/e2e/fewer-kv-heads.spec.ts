import { expect, test } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { collectErrors } from './pages';

/** "Fewer key/value heads" on wasm: three models measured on the held-out passage, chart with table, head groups, maps. */
test.setTimeout(300_000);

const PAGE = '/lessons/fewer-kv-heads/?backend=wasm';
const numTensors = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as { __kvlab: { memory(): { numTensors: number } } }).__kvlab.memory().numTensors);

test('4, 2 and 1 KV heads: measured bytes per token follow the formula, losses are finite, chart and table, no leak', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(PAGE);
  const cell = page.locator('[data-cell="gqa-compare"]');
  for (const name of ['austen', 'austen-gqa2', 'austen-gqa']) {
    await expect(cell.locator(`[data-model="${name}"] [data-model-status="ready"]`)).toBeVisible({ timeout: 180_000 });
  }
  await expect(cell.locator('[data-model="austen"] [data-groups]')).toHaveAttribute('data-groups', '0,1,2,3');
  await expect(cell.locator('[data-model="austen-gqa2"] [data-groups]')).toHaveAttribute('data-groups', '0,0,1,1');
  await expect(cell.locator('[data-model="austen-gqa"] [data-groups]')).toHaveAttribute('data-groups', '0,0,0,0');
  for (const name of ['austen', 'austen-gqa2', 'austen-gqa']) {
    await expect(cell.locator(`[data-heatmap="attention-${name}"] tbody tr`).first()).toBeVisible({ timeout: 120_000 });
  }
  await expect(cell.locator('[data-passage-chars]')).not.toHaveAttribute('data-passage-chars', '0');
  const before = await numTensors(page);

  await cell.getByRole('button', { name: 'Measure on the held-out passage' }).click();
  await expect(cell.locator('[data-gqa-results]')).toHaveAttribute('data-gqa-results', '3', { timeout: 240_000 });
  const bytes = await Promise.all(
    ['austen', 'austen-gqa2', 'austen-gqa'].map((n) => cell.locator(`[data-row="${n}"] [data-bytes]`).getAttribute('data-bytes')),
  );
  expect(bytes).toEqual(['4096', '2048', '1024']);
  for (const n of ['austen', 'austen-gqa2', 'austen-gqa']) {
    const loss = Number(await cell.locator(`[data-row="${n}"] [data-loss]`).getAttribute('data-loss'));
    expect(loss).toBeGreaterThan(0.5);
    expect(loss).toBeLessThan(3);
  }
  const chart = cell.locator('[data-chart="gqa-loss-bytes"]');
  await expect(chart.locator('svg').first()).toBeVisible();
  await chart.getByText('Show the numbers').click();
  await expect(chart.locator('tbody tr')).toHaveCount(3);
  expect(await numTensors(page)).toBe(before);

  await cell.getByLabel('Query head', { exact: true }).selectOption('3');
  await expect(cell.locator('[data-heatmap="attention-austen-gqa2"] figcaption')).toContainText('query head 3 (reads KV head 1)');
  expect(errors).toEqual([]);
});

test('fewer-kv-heads lesson: no serious axe violations, light and dark; screenshot', async ({ page }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.goto(PAGE);
    await expect(page.locator('[data-heatmap="attention-austen-gqa"] tbody tr').first()).toBeVisible({ timeout: 180_000 });
    expect(await seriousAxeViolations(page), colorScheme).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(PAGE);
  const cell = page.locator('[data-cell="gqa-compare"]');
  await expect(page.locator('[data-heatmap="attention-austen-gqa"] tbody tr').first()).toBeVisible({ timeout: 180_000 });
  await cell.getByRole('button', { name: 'Measure on the held-out passage' }).click();
  await expect(cell.locator('[data-gqa-results]')).toHaveAttribute('data-gqa-results', '3', { timeout: 240_000 });
  await page.screenshot({ path: 'test-results/screens/fewer-kv-heads.png', fullPage: true });
});
