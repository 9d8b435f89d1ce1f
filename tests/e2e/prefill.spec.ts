import { expect, test } from '@playwright/test';
import { collectErrors } from './pages';

test.describe.configure({ timeout: 420_000 });

test('a single prefill splits TTFT into its measured parts, from the keyboard', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/prefill-and-decode/');
  const cell = page.locator('[data-cell="prefill"]');
  const measure = cell.getByRole('button', { name: 'Measure this prompt' });
  await expect(measure).toBeEnabled({ timeout: 120_000 });
  const slider = cell.getByRole('slider', { name: /Prompt length/ });
  await slider.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  const box = cell.getByRole('spinbutton', { name: /Prompt length/ });
  await expect(box).toHaveValue('2'); // the slider and the number box show one value
  await page.keyboard.press('Tab');
  await expect(box).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(measure).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(cell.locator('[data-prefill-single="2"]')).toBeVisible({ timeout: 120_000 });
  await expect(cell.locator('[data-prefill-single] dd')).toHaveCount(4);
  expect(errors).toEqual([]);
});

test('the sweep charts time to first token and per-token time against P, with a table', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/prefill-and-decode/');
  const cell = page.locator('[data-cell="prefill"]');
  const sweep = cell.getByRole('button', { name: 'Sweep prompt lengths' });
  await expect(sweep).toBeEnabled({ timeout: 120_000 });
  await sweep.click();
  await expect(cell.locator('[data-prefill-status="ready"]')).toBeVisible({ timeout: 360_000 });
  const chart = cell.locator('[data-chart="prefill-ttft"]');
  await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
  await expect(chart.locator('table tbody tr')).toHaveCount(7);
  await expect(chart.locator('table tbody tr').first().locator('th')).toHaveText('4');
  expect(errors).toEqual([]);
});

test('chunked prefill gives the same next-token logits as one pass', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/prefill-and-decode/');
  const cell = page.locator('[data-cell="chunked-prefill"]');
  const compare = cell.getByRole('button', { name: 'Compare' });
  await expect(compare).toBeEnabled({ timeout: 120_000 });
  await compare.focus();
  await page.keyboard.press('Enter');
  const stats = cell.locator('[data-chunked-max-diff]');
  await expect(stats).toBeVisible({ timeout: 180_000 });
  expect(Number(await stats.getAttribute('data-chunked-max-diff'))).toBeLessThan(1e-3);
  await expect(cell.locator('[data-same-next]')).toHaveAttribute('data-same-next', 'true');
  await expect(stats).toContainText('4 chunks of up to 32');
  expect(errors).toEqual([]);
});
