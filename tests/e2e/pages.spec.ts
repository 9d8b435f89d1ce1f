import { expect, test } from '@playwright/test';
import { seriousAxeViolations } from './axe';
import { PAGES, collectErrors, collectForeignRequests } from './pages';

for (const path of PAGES) {
  test(`${path} loads with no console errors and no request off its origin`, async ({ page, baseURL }) => {
    const errors = collectErrors(page);
    const foreign = collectForeignRequests(page, baseURL!);
    await page.goto(path);
    await expect(page.locator('h1')).toBeVisible();
    // /device starts tfjs; wait until its computation finished so late errors are caught too.
    if (path === '/device/') await expect(page.locator('[data-matmul="ok"]')).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  test(`${path} has no serious or critical axe violations (light and dark)`, async ({ page }) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(path);
      await expect(page.locator('h1')).toBeVisible();
      if (path === '/device/') await expect(page.locator('[data-matmul]')).not.toHaveAttribute('data-matmul', 'pending');
      const violations = await seriousAxeViolations(page); // with every <details> opened
      expect(violations, `${colorScheme} scheme`).toEqual([]);
    }
  });
}

test('a page that runs no model shows the badge as pending and loads no tfjs', async ({ page }) => {
  const scripts: string[] = [];
  page.on('response', async (response) => {
    if (response.url().endsWith('.js')) scripts.push(await response.text());
  });
  await page.goto('/');
  await page.waitForLoadState('networkidle');
  await expect(page.locator('header [data-backend]')).toHaveAttribute('data-backend', 'pending');
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((s) => s.includes('registerKernel'))).toEqual([]);
});
