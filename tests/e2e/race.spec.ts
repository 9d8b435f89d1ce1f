import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectErrors } from './pages';

test.describe.configure({ timeout: 300_000 });

test('the race runs from the keyboard, keeps the warm-up apart, matches tokens, charts both curves and exports CSV and PNG', async ({
  page,
}) => {
  const errors = collectErrors(page);
  // Few tokens: WebGPU runs on SwiftShader here, tens of ms per op. Speed is never asserted.
  await page.goto('/lessons/race/?race.tokens=4');
  const cell = page.locator('[data-cell="race"]');
  const run = cell.getByRole('button', { name: 'Run the race' });
  await expect(run).toBeEnabled({ timeout: 120_000 });
  await expect(cell.getByLabel('Tokens to generate')).toHaveValue('4');
  await cell.getByLabel('Sampling seed').focus();
  await page.keyboard.press('Tab');
  await expect(run).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(cell.locator('[data-race-status="done"]')).toBeVisible({ timeout: 240_000 });
  await expect(cell.locator('[data-warmup]')).toContainText('Not counted');
  await expect(cell.locator('[data-tokens-match]')).toHaveAttribute('data-tokens-match', 'true');
  const summary = cell.locator('[data-race-summary]');
  await expect(summary).toHaveAttribute('data-tokens', '4');
  for (const name of ['race-step-ms', 'race-cumulative']) {
    const chart = cell.locator(`[data-chart="${name}"]`);
    await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
    await expect(chart.locator('.recharts-line')).toHaveCount(2);
    // Tokens 1, 2 and 4 (powers of two and the last), and token 3 too when it is marked as an outlier.
    // (The table sits in a closed <details>, so it is counted, not looked at.)
    await expect.poll(() => chart.locator('table tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await chart.locator('table tbody tr').count()).toBeLessThanOrEqual(4);
  }
  expect(await cell.locator('[data-speedup-table] tbody tr').count()).toBeGreaterThanOrEqual(3);
  await expect(page.locator('[data-race-reading="ready"]')).toContainText('On your device');

  const [csv] = await Promise.all([page.waitForEvent('download'), cell.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^race-\w+-4\.csv$/);
  const lines = readFileSync((await csv.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(lines[0]).toBe('backend,model,prompt,seed,generator,repeat,step,phase,ms,token_id');
  expect(lines).toHaveLength(1 + 2 * 4);

  const [png] = await Promise.all([page.waitForEvent('download'), cell.getByRole('button', { name: 'Per-step chart as PNG' }).click()]);
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(errors).toEqual([]);
});
