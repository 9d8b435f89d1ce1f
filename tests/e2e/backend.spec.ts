import { expect, test } from '@playwright/test';
import { collectErrors } from './pages';

test(
  'a software WebGPU (SwiftShader here) is never the default: wasm runs, the badge says why, the ' + 'device page lists every backend',
  async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto('/device/');
    const badge = page.locator('header [data-backend]');
    await expect(badge).toHaveAttribute('data-backend', 'wasm');
    await expect(badge).toContainText('WebGPU is available only as a software renderer here, so this page uses WebAssembly');
    await expect(page.locator('[data-report-backend]')).toHaveAttribute('data-report-backend', 'wasm');
    const statuses = page.locator('[data-backend-statuses] li');
    await expect(statuses).toHaveCount(4);
    await expect(page.locator('[data-backend-status][data-name="webgpu"]')).toHaveAttribute('data-backend-status', 'skipped');
    await expect(page.locator('[data-backend-status][data-name="webgpu"]')).toContainText('software renderer');
    await expect(page.locator('[data-backend-status][data-name="wasm"]')).toHaveAttribute('data-backend-status', 'running');
    await expect(page.locator('[data-thread]')).toHaveAttribute('data-thread', 'worker');
    await expect(page.locator('[data-matmul="ok"]')).toHaveAttribute('data-matmul-backend', 'wasm');
    expect(errors).toEqual([]);
  },
);

for (const name of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
  test(`?backend=${name} runs a checked 256×256 matMul on ${name} and the badge names it`, async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(`/device/?backend=${name}`);
    await expect(page.locator('header [data-backend]')).toHaveAttribute('data-backend', name);
    const result = page.locator('[data-matmul]');
    await expect(result).toHaveAttribute('data-matmul', 'ok');
    await expect(result).toHaveAttribute('data-matmul-backend', name);
    await expect(page.locator('[data-report-backend]')).toContainText(`asked for ${name}`);
    expect(errors).toEqual([]);
  });
}

test('the lesson page runs its live cell without tfjs and Reset restores the defaults', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/what-the-kv-cache-is-for/');
  const cell = page.locator('[data-cell="kv-cost"]');
  await expect(cell.locator('[data-chart="kv-cost"] svg').first()).toBeVisible();
  const slider = cell.getByLabel(/Sequence length/);
  await expect(slider).toHaveValue('1024');
  await slider.fill('2048');
  await expect(cell.locator('output')).toHaveText('2048');
  await cell.getByRole('button', { name: 'Reset' }).click();
  await expect(slider).toHaveValue('1024');
  await expect(page.locator('header [data-backend]')).toHaveAttribute('data-backend', 'pending');
  expect(errors).toEqual([]);
});
