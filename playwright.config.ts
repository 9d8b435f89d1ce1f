import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.js';

/**
 * Browser tests run Debian's Chromium (CHROMIUM_PATH overrides) against the exported site in out/,
 * served by `kvlab serve` (lib/server/) on 127.0.0.1. `--enable-unsafe-webgpu` turns WebGPU on even without a
 * GPU, where it runs on SwiftShader — slow (tens of ms per op), hence the generous timeouts.
 */
const PORT = Number(process.env.E2E_PORT ?? 4173);
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  // A subfolder: Playwright empties its outputDir, and scripts/test.js keeps its reports in test-results/.
  outputDir: 'test-results/playwright',
  timeout: 120_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node bin/kvlab.js serve --results test-results/class-results.jsonl',
    env: { PORT: String(PORT) },
    url: `${BASE_URL}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    stdout: 'ignore',
  },
});
