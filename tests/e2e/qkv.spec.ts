import { expect, test } from '@playwright/test';
import { collectErrors } from './pages';

test.describe.configure({ timeout: 240_000 });

test('the QKV cell draws q, K, V and the attention map; layer/head change them; pointing at a row lights its token everywhere', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/queries-keys-values/');
  const cell = page.locator('[data-cell="qkv"]');
  const q = cell.locator('[data-heatmap="q"] tbody td');
  await expect(q).toHaveCount(32, { timeout: 120_000 });
  const rows = await cell.locator('[data-heatmap="k"] tbody tr').count();
  expect(rows).toBeGreaterThan(4);
  await expect(cell.locator('[data-heatmap="v"] tbody tr')).toHaveCount(rows);
  await expect(cell.locator('[data-heatmap="attention-map"] tbody tr')).toHaveCount(rows);
  await expect(cell.locator('[data-stages] tbody tr')).toHaveCount(rows);
  // The last position is the default step: nothing is masked for it.
  await expect(cell.locator('[data-stages] tbody td', { hasText: '−∞' })).toHaveCount(0);

  // Layer and head change what is shown.
  const qBefore = await q.allTextContents();
  await cell.getByLabel('Layer').selectOption('2');
  await expect(cell.locator('[data-qkv-layer="2"]')).toBeVisible();
  await expect.poll(() => q.allTextContents()).not.toEqual(qBefore);
  const mapBefore = await cell.locator('[data-heatmap="attention-map"] tbody td').allTextContents();
  await cell.getByLabel('Query head').selectOption('3');
  await expect(cell.locator('[data-qkv-head="3"]')).toBeVisible();
  await expect.poll(() => cell.locator('[data-heatmap="attention-map"] tbody td').allTextContents()).not.toEqual(mapBefore);

  // An earlier step: the future is masked with −∞.
  const slider = cell.getByLabel(/Step: the newest token/);
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(cell.locator('[data-qkv-position="0"]')).toBeVisible();
  await expect(cell.locator('[data-heatmap="k"] tbody tr')).toHaveCount(1);
  await expect(cell.locator('[data-stages] tbody td', { hasText: '−∞' })).toHaveCount(rows - 1);
  await page.keyboard.press('End');
  await expect(cell.locator('[data-heatmap="k"] tbody tr')).toHaveCount(rows);

  // Hover a key row: the token lights up in the strip, the V rows, the stages and the map.
  await cell.locator('[data-heatmap="k"] tbody tr').nth(2).locator('button').hover();
  for (const where of [
    '[data-heatmap="k"] tbody tr',
    '[data-heatmap="v"] tbody tr',
    '[data-stages] tbody tr',
    '[data-heatmap="attention-map"] tbody tr',
  ]) {
    await expect(cell.locator(where).nth(2)).toHaveAttribute('data-highlight', 'true');
  }
  await expect(cell.locator('.token-strip li').nth(2)).toHaveAttribute('data-highlight', 'true');

  // Keyboard alone: focus moves between rows with the arrow keys and the highlight follows.
  await cell.locator('[data-heatmap="v"] tbody tr').nth(0).locator('button').focus();
  await page.keyboard.press('ArrowDown');
  await expect(cell.locator('[data-heatmap="v"] tbody tr').nth(1).locator('button')).toBeFocused();
  await expect(cell.locator('.token-strip li').nth(1)).toHaveAttribute('data-highlight', 'true');
  expect(errors).toEqual([]);
});

test('the GQA model says which key/value head a query head reads, and K stays put across query heads', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/queries-keys-values/');
  const cell = page.locator('[data-cell="qkv"]');
  await expect(cell.locator('[data-heatmap="q"] tbody td')).toHaveCount(32, { timeout: 120_000 });
  await cell.getByLabel('Model').selectOption('austen-gqa');
  await expect(cell.locator('[data-gqa-note]')).toContainText('= 0', { timeout: 120_000 });
  const k = cell.locator('[data-heatmap="k"] tbody td');
  const q = cell.locator('[data-heatmap="q"] tbody td');
  const kBefore = await k.allTextContents();
  const qBefore = await q.allTextContents();
  await cell.getByLabel('Query head').selectOption('2');
  await expect(cell.locator('[data-qkv-head="2"]')).toBeVisible();
  await expect.poll(() => q.allTextContents()).not.toEqual(qBefore);
  expect(await k.allTextContents()).toEqual(kBefore);
  expect(errors).toEqual([]);
});
