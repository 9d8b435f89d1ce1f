import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectErrors } from './pages';

/**
 * The two model lessons end to end on the default backend (WebGPU on SwiftShader: slow, so a few
 * tokens only, generous timeouts, no timing assertions).
 */
test.setTimeout(300_000);

const ONE = '/lessons/one-token-at-a-time/';
const ROWS = '/lessons/cache-row-by-row/';

async function ready(page: Page, cell: Locator) {
  await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
}
const cacheLen = async (cell: Locator) => Number(await cell.locator('[data-cache-len]').getAttribute('data-cache-len'));
async function expectCacheLen(cell: Locator, n: number) {
  await expect(cell.locator('[data-cache-len]')).toHaveAttribute('data-cache-len', String(n), { timeout: 120_000 });
}
/** tf.memory() lives in the model worker now: the dev hook asks it (an async call) and page.evaluate awaits it. */
const numTensors = (page: Page) =>
  page.evaluate(
    async () => (await (window as unknown as { __kvlab: { memory(): Promise<{ numTensors: number }> } }).__kvlab.memory()).numTensors,
  );

test(
  'one token at a time: Step, → and Space add one cache position each; P plays and pauses; typing ' + 'is left alone; Reset restores',
  async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(ONE);
    const cell = page.locator('[data-cell="one-token"]');
    await ready(page, cell);
    const prompt = cell.getByRole('textbox', { name: 'Prompt' });
    const defaultPrompt = await prompt.inputValue();
    await expectCacheLen(cell, 0);

    await cell.getByRole('button', { name: 'Step' }).click();
    await expect.poll(() => cacheLen(cell), { timeout: 120_000 }).toBeGreaterThan(0);
    const P = await cacheLen(cell); // the prefill cached the whole prompt
    await expect(cell.locator('[data-work-table] tbody tr')).toHaveCount(1);

    await cell.getByRole('button', { name: 'Step' }).focus();
    await page.keyboard.press('ArrowRight');
    await expectCacheLen(cell, P + 1);
    await cell.locator('.chip').first().focus();
    await page.keyboard.press(' ');
    await expectCacheLen(cell, P + 2);
    await expect(cell.locator('[data-generated]')).toHaveAttribute('data-generated', '3');
    // Per step: naive recomputes the whole sequence, cached computes one position.
    await expect(cell.locator('[data-work-table] tbody tr').nth(2)).toContainText(String(P + 2));
    await expect(cell.locator('[data-work-table] tbody tr').nth(2).locator('td').nth(1)).toHaveText('1');

    // P while typing is text, not a shortcut.
    await prompt.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' p');
    await expect(prompt).toHaveValue(`${defaultPrompt} p`);
    await expect(cell.getByRole('button', { name: 'Play' })).toBeVisible();
    await expectCacheLen(cell, 0); // a new prompt starts over

    await cell.getByRole('button', { name: 'Step' }).focus();
    await page.keyboard.press('p');
    await expect(cell.getByRole('button', { name: 'Pause' })).toBeVisible();
    await expect.poll(() => cacheLen(cell), { timeout: 120_000 }).toBeGreaterThan(P + 2);
    await page.keyboard.press('p');
    await expect(cell.getByRole('button', { name: 'Play' })).toBeVisible();

    await cell.getByRole('button', { name: 'Reset' }).click();
    await expect(prompt).toHaveValue(defaultPrompt);
    await expectCacheLen(cell, 0);
    await expect(cell.locator('[data-generated]')).toHaveAttribute('data-generated', '0');
    await expect(page.locator('.kbd-legend kbd').first()).toBeVisible();
    expect(errors).toEqual([]);
  },
);

test('cache row by row: one K and V row per step, bytes = formula, chart with table, multi-query cache 4× smaller', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(ROWS);
  const cell = page.locator('[data-cell="cache-rows"]');
  await ready(page, cell);
  await cell.getByRole('button', { name: 'Step' }).click();
  await expect.poll(() => cacheLen(cell), { timeout: 120_000 }).toBeGreaterThan(0);
  const P = await cacheLen(cell);
  await cell.getByRole('button', { name: 'Step' }).focus();
  await page.keyboard.press('ArrowRight');
  await expectCacheLen(cell, P + 1);
  await expect(cell.locator('[data-heatmap="k"]')).toHaveAttribute('data-rows', String(P + 1));
  await expect(cell.locator('[data-heatmap="v"]')).toHaveAttribute('data-rows', String(P + 1));
  await expect(cell.locator('[data-heatmap="q"]')).toHaveAttribute('data-rows', '1');
  await expect(cell.locator('[data-old-row-change]')).toHaveAttribute('data-old-row-change', '0');
  const bytesMha = Number(await cell.locator('[data-cache-bytes]').getAttribute('data-cache-bytes'));
  expect(bytesMha).toBe(Number(await cell.locator('[data-formula-bytes]').getAttribute('data-formula-bytes')));
  expect(bytesMha).toBe(2 * 4 * 4 * 32 * (P + 1) * 4);

  const chart = cell.locator('[data-chart="cache-bytes"]');
  await expect(chart.locator('svg').first()).toBeVisible();
  await chart.getByText('Show the numbers').click();
  await expect(chart.locator('tbody tr')).toHaveCount(3); // T = 0, P, P + 1

  await cell.getByLabel('Multi-query: 1 key/value head').check();
  await expectCacheLen(cell, 0);
  await ready(page, cell);
  await expect(cell.getByText('1 key/value head,')).toBeVisible();
  await cell.getByRole('button', { name: 'Step' }).click();
  await expectCacheLen(cell, P);
  await cell.getByRole('button', { name: 'Step' }).click();
  await expectCacheLen(cell, P + 1);
  const bytesMqa = Number(await cell.locator('[data-cache-bytes]').getAttribute('data-cache-bytes'));
  expect(bytesMha / bytesMqa).toBe(4); // nHead / nKvHead
  await expect(cell.locator('[data-cache-ratio]')).toHaveAttribute('data-cache-ratio', '4');
  await expect(cell.locator('[data-differs-at]')).toBeVisible();

  await cell.getByRole('button', { name: 'Reset' }).click();
  await expectCacheLen(cell, 0);
  await expect(cell.getByLabel('Multi-head: 4 key/value heads')).toBeChecked();
  expect(errors).toEqual([]);
});

for (const file of ['model.json', 'group1-shard1of1.bin']) {
  test(
    `a missing ${file} (HTTP 404) says so in plain words, with Retry and no backend links (another ` + `backend cannot fix a missing file)`,
    async ({ page }) => {
      await page.route(`**/models/austen/${file}`, (route) => route.fulfill({ status: 404, body: 'not here' }));
      await page.goto(ONE);
      const cell = page.locator('[data-cell="one-token"]');
      const panel = cell.locator('[data-model-error]');
      await expect(panel).toBeVisible({ timeout: 120_000 });
      await expect(panel).toHaveAttribute('data-model-error', 'missing');
      await expect(panel.locator('.model-error-title')).toHaveText('The Austen model is not on this site.');
      await expect(panel).not.toContainText('npm run train', { useInnerText: true }); // developer detail stays in the closed disclosure
      await expect(panel.locator('details')).toContainText('HTTP 404');
      await expect(panel.getByRole('button', { name: 'Retry' })).toBeVisible();
      await expect(panel.getByRole('link', { name: /^Try / })).toHaveCount(0);
      await page.unroute(`**/models/austen/${file}`);
      await panel.getByRole('button', { name: 'Retry' }).click();
      await ready(page, cell);
    },
  );
}

test('20 moves between lessons by the pager leave the tensor count where it was after the first load', async ({ page }) => {
  // Measured on the first lesson's page once its model is ready and before any step: the austen
  // weights plus whatever tfjs keeps. Every visit in between loads models, generates, and leaves.
  await page.goto(ONE);
  const one = page.locator('[data-cell="one-token"]');
  await ready(page, one);
  const baseline = await numTensors(page);
  expect(baseline).toBeGreaterThan(0);

  const route = ['next', 'next', 'prev', 'prev'] as const; // one-token → qkv → cache-rows → qkv → one-token
  for (let i = 0; i < 20; i++) {
    const link = page.locator(`.pager a[rel="${route[i % 4]}"]`);
    const href = (await link.getAttribute('href'))!;
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${href}$`)); // client-side: the old page lingers until then
    for (const name of ['one-token', 'cache-rows']) {
      const cell = page.locator(`[data-cell="${name}"]`);
      if ((await cell.count()) === 0) continue;
      await ready(page, cell);
      await cell.getByRole('button', { name: 'Step' }).click();
      await expect.poll(() => cacheLen(cell), { timeout: 120_000 }).toBeGreaterThan(0);
    }
  }
  await expect(page).toHaveURL(new RegExp(ONE));
  await ready(page, one);
  // The last visit stepped too: Reset must free that cache.
  await one.getByRole('button', { name: 'Reset' }).click();
  await expectCacheLen(one, 0);
  // The previous page's model is freed shortly after it unmounts (the registry's grace period).
  await expect.poll(() => numTensors(page), { timeout: 10_000 }).toBe(baseline);
});
