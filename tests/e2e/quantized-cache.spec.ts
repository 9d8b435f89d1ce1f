import { expect, test } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { collectErrors } from './pages';

/** "Smaller numbers: a quantized cache" on wasm: five caches measured live, chart with table, no leak. */
test.setTimeout(420_000);

const PAGE = '/lessons/quantized-cache/?backend=wasm';
const numTensors = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as { __kvlab: { memory(): { numTensors: number } } }).__kvlab.memory().numTensors);

test(
  'float32, int8 and int4 caches: bytes shrink, float matches itself, int8 stays close; chart ' + 'with table; no leak; axe; screenshot',
  async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(PAGE);
    const cell = page.locator('[data-cell="quant-cache"]');
    await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
    const before = await numTensors(page);
    await cell.getByRole('button', { name: 'Measure the five caches' }).click();
    await expect(cell.locator('[data-kind-results]')).toHaveAttribute('data-kind-results', '5', { timeout: 360_000 });
    await expect(cell.getByRole('button', { name: 'Measure the five caches' })).toBeEnabled();
    expect(await numTensors(page)).toBe(before);

    const num = async (kind: string, attr: string) =>
      Number(await cell.locator(`[data-kind="${kind}"] [data-${attr}]`).getAttribute(`data-${attr}`));
    expect(await num('full', 'bytes')).toBe(4096);
    expect(await num('full', 'logit-diff')).toBe(0);
    await expect(cell.locator('[data-kind="full"] [data-diverges]')).toHaveAttribute('data-diverges', 'none');
    // int8: 1 byte a number plus scales; int4 half that plus the same scales (KIVI at 224 positions: no float residual).
    expect(await num('int8', 'bytes')).toBeLessThan(4096 / 3);
    expect(await num('int4', 'bytes')).toBeLessThan(await num('int8', 'bytes'));
    expect(await num('int8', 'bytes')).toBe(await num('int8-token', 'bytes'));
    expect(await num('int8', 'logit-diff')).toBeGreaterThan(0);
    expect(await num('int8', 'logit-diff')).toBeLessThan(await num('int4', 'logit-diff'));
    expect(Math.abs((await num('int8', 'loss')) - (await num('full', 'loss')))).toBeLessThan(0.05);

    const chart = cell.locator('[data-chart="quant-loss-bytes"]');
    await expect(chart.locator('svg').first()).toBeVisible();
    await chart.getByText('Show the numbers').click();
    await expect(chart.locator('tbody tr')).toHaveCount(3);
    expect(errors).toEqual([]);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousAxeViolations(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.screenshot({ path: 'test-results/screens/quantized-cache.png', fullPage: true });
  },
);
