import { expect, test, type Page } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { collectErrors } from './pages';

/** The keep-less, serving-many and shared-beginnings lessons on wasm: live cells, tables behind charts, no leaks, axe. */
test.setTimeout(420_000);

const numTensors = (page: Page) =>
  page.evaluate(() => (window as unknown as { __kvlab: { memory(): { numTensors: number } } }).__kvlab.memory().numTensors);

test(
  'serving: 4 sessions take blocks and tables and decode; a shared system prompt uses fewer ' +
    'blocks; 20 sessions leave no tensor behind',
  async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/lessons/serving-many/?backend=wasm');
    const cell = page.locator('[data-cell="serving"]');
    const start4 = cell.getByRole('button', { name: 'Start 4 sessions' });
    const stepButton = cell.getByRole('button', { name: 'Step', exact: true });
    const used = async () => Number(await cell.locator('[data-blocks-used]').getAttribute('data-blocks-used'));
    await expect(start4).toBeEnabled({ timeout: 180_000 });
    const before = await numTensors(page);

    await start4.click();
    await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '4');
    await expect(cell.locator('[data-block-tables] tbody tr')).toHaveCount(4);
    await expect(cell.locator('.pool-block')).toHaveCount(48);
    expect(await used()).toBeGreaterThanOrEqual(4);
    await expect(cell.locator('[data-blocks-free]')).toHaveAttribute('data-blocks-free', String(48 - (await used())));
    for (const row of await cell.locator('[data-block-tables] tbody tr').all()) {
      expect(await row.locator('[data-table]').getAttribute('data-table')).toMatch(/^\d+(,\d+)*$/);
    }
    const length0 = await cell.locator('[data-session="1"] td').first().textContent();
    await stepButton.click();
    await expect(cell.locator('[data-session="1"] td').first()).toHaveText(String(Number(length0) + 1));
    await expect(cell.locator('[data-contiguous-blocks]')).toHaveAttribute('data-contiguous-blocks', '64');

    // The same four sessions with the system prompt in front: read by each, then shared.
    await cell.getByRole('button', { name: 'Reset' }).click();
    await cell.getByLabel('Before every prompt, read by each session').check();
    await start4.click();
    await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '4');
    const copied = await used();
    await cell.getByRole('button', { name: 'Reset' }).click();
    await cell.getByLabel('Shared: read once, its blocks pointed at').check();
    await expect(cell.locator('[data-blocks-used]')).not.toHaveAttribute('data-blocks-used', '0');
    await start4.click();
    await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '4');
    const shared = await used();
    expect(shared).toBeLessThan(copied);
    expect(await cell.locator('.pool-block[data-refs="5"]').count()).toBeGreaterThan(0); // the prefix and 4 sessions point at it

    // 20 short sessions, then Reset: every cache tensor is freed.
    await cell.getByRole('button', { name: 'Reset' }).click();
    await cell.getByLabel('Tokens to generate (1–100)').fill('2');
    for (let i = 0; i < 5; i++) {
      await start4.click();
      await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '4');
      await stepButton.click();
      await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '0');
    }
    await expect(cell.locator('[data-block-tables] tbody tr')).toHaveCount(20);
    await expect(cell.locator('[data-blocks-used]')).toHaveAttribute('data-blocks-used', '0');
    await cell.getByRole('button', { name: 'Reset' }).click();
    expect(await numTensors(page)).toBe(before);
    expect(errors).toEqual([]);
  },
);

test('shared beginnings: TTFT, blocks saved and equal continuations', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/shared-beginnings/?backend=wasm');
  const cell = page.locator('[data-cell="prefix"]');
  const go = cell.getByRole('button', { name: 'Serve with and without sharing' });
  await expect(go).toBeEnabled({ timeout: 180_000 });
  await cell.getByLabel('Tokens each').selectOption('4');
  await go.click();
  await expect(cell.locator('[data-prefix-rows]')).toHaveAttribute('data-prefix-rows', '3', { timeout: 180_000 });
  await expect(cell.locator('[data-same="true"]')).toHaveCount(3);
  const shared = Number(await cell.locator('[data-blocks-shared]').getAttribute('data-blocks-shared'));
  const plain = Number(await cell.locator('[data-blocks-plain]').getAttribute('data-blocks-plain'));
  expect(shared).toBeLessThan(plain);
  expect(errors).toEqual([]);
});

test('keep less: stepping evicts with a step number; the loss-against-budget chart renders with its table', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/keep-less/?backend=wasm');
  const steps = page.locator('[data-cell="policy-steps"]');
  const step = steps.getByRole('button', { name: 'Step' });
  await expect(step).toBeEnabled({ timeout: 180_000 });
  await steps.getByLabel('8', { exact: true }).check();
  for (let i = 0; i < 3; i++) {
    await step.click();
    await expect(steps.locator('[data-kept]')).not.toHaveAttribute('data-kept', '0');
  }
  await expect(steps.locator('[data-kept]')).toHaveAttribute('data-kept', '8');
  await expect(steps.locator('.pt[data-state="evicted"]').first()).toBeVisible();
  await expect(steps.locator('.pt[data-state="evicted"] .pt-step').first()).toHaveText(/^s\d+$/);

  const sweep = page.locator('[data-cell="budget-sweep"]');
  await sweep.getByLabel('Tokens of the passage to score').selectOption('65');
  await sweep.getByRole('button', { name: 'Measure loss against budget' }).click();
  await expect(sweep.locator('[data-sweep-status]')).toHaveAttribute('data-sweep-status', 'done', { timeout: 300_000 });
  const chart = sweep.locator('[data-chart="loss-budget"]');
  await expect(chart.locator('svg').first()).toBeVisible();
  await expect(chart.locator('tbody tr')).toHaveCount(5);
  await expect(sweep.locator('[data-sinks] tbody tr')).toHaveCount(4);
  // 64 predictions: budgets 64, 128 and 256 evict nothing and must equal the full cache exactly
  const cells = await chart.locator('tbody tr').last().locator('td').allTextContents(); // window, sinks, h2o, full at 256
  expect(cells).toHaveLength(4);
  expect(new Set(cells).size).toBe(1);
  expect(errors).toEqual([]);
});

test('the three lessons: no serious axe violations; screenshots', async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 900 });
  for (const slug of ['keep-less', 'serving-many', 'shared-beginnings']) {
    await page.goto(`/lessons/${slug}/?backend=wasm`);
    await expect(page.locator('[data-runs-on="wasm"]').first())
      .toBeVisible({ timeout: 180_000 })
      .catch(() => undefined);
    if (slug === 'serving-many') {
      const cell = page.locator('[data-cell="serving"]');
      await expect(cell.getByRole('button', { name: 'Start 4 sessions' })).toBeEnabled({ timeout: 180_000 });
      await cell.getByRole('button', { name: 'Start 4 sessions' }).click();
      await expect(cell.locator('[data-running]')).toHaveAttribute('data-running', '4');
      for (let i = 0; i < 3; i++) await cell.getByRole('button', { name: 'Step' }).click();
    }
    if (slug === 'keep-less') {
      const steps = page.locator('[data-cell="policy-steps"]');
      await expect(steps.getByRole('button', { name: 'Step' })).toBeEnabled({ timeout: 180_000 });
      for (let i = 0; i < 6; i++) {
        await steps.getByRole('button', { name: 'Step' }).click();
        await expect(steps.getByRole('button', { name: 'Step' })).toBeEnabled();
      }
    }
    if (slug === 'shared-beginnings') {
      const cell = page.locator('[data-cell="prefix"]');
      await expect(cell.getByRole('button', { name: 'Serve with and without sharing' })).toBeEnabled({ timeout: 180_000 });
      await cell.getByRole('button', { name: 'Serve with and without sharing' }).click();
      await expect(cell.locator('[data-prefix-rows]')).toBeVisible({ timeout: 180_000 });
    }
    expect(await seriousAxeViolations(page), slug).toEqual([]);
    await page.screenshot({ path: `test-results/screens/${slug}.png`, fullPage: true });
  }
});
