import { expect, test } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { collectErrors } from './pages';

/** "Latent caches: MLA" on wasm: DeepSeek's numbers, latent ranks measured live, chart with table, no leak. */
test.setTimeout(480_000);

const PAGE = '/lessons/latent-cache/?backend=wasm';
const numTensors = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as { __kvlab: { memory(): { numTensors: number } } }).__kvlab.memory().numTensors);

test(
  'latent ranks: full rank matches the float cache, bytes fall with r, loss rises; DeepSeek ' + 'table; chart; no leak; axe; screenshot',
  async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(PAGE);
    const ratio = Number(await page.locator('[data-deepseek-ratio]').getAttribute('data-deepseek-ratio'));
    expect(ratio).toBeCloseTo(4997120 / 70272, 6);
    const cell = page.locator('[data-cell="latent-cache"]');
    await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
    const before = await numTensors(page);
    await cell.getByRole('button', { name: 'Measure every rank' }).click();
    await expect(cell.locator('[data-kind-results]')).toHaveAttribute('data-kind-results', '7', { timeout: 420_000 });
    await expect(cell.getByRole('button', { name: 'Measure every rank' })).toBeEnabled();
    expect(await numTensors(page)).toBe(before);

    const num = async (kind: string, attr: string) =>
      Number(await cell.locator(`[data-kind="${kind}"] [data-${attr}]`).getAttribute(`data-${attr}`));
    for (const r of [128, 64, 32, 16, 8, 4]) expect(await num(`latent:${r}`, 'bytes')).toBe(2 * 4 * r * 4);
    expect(Math.abs((await num('latent:128', 'loss')) - (await num('full', 'loss')))).toBeLessThan(1e-3);
    expect(await num('latent:128', 'logit-diff')).toBeLessThan(1e-2);
    expect(await num('latent:4', 'loss')).toBeGreaterThan(await num('latent:128', 'loss'));

    const chart = cell.locator('[data-chart="latent-loss-bytes"]');
    await expect(chart.locator('svg').first()).toBeVisible();
    await chart.getByText('Show the numbers').click();
    await expect(chart.locator('tbody tr')).toHaveCount(6);
    expect(errors).toEqual([]);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousAxeViolations(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.screenshot({ path: 'test-results/screens/latent-cache.png', fullPage: true });
  },
);
