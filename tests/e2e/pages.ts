import type { Page } from '@playwright/test';
import { lessons } from '../../content/lessons';

/** Every exported page the site has. */
export const PAGES = ['/', '/device/', ...lessons.map((l) => `/lessons/${l.slug}/`)];

/**
 * Collect console errors and uncaught page errors from now on. Warnings do not count: Chromium logs
 * benign WebGPU/WebGL warnings on software adapters.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  // Failed requests are not collected on their own: a missing file already logs a console error, and
  // Next's router aborts its own HEAD/prefetch requests on purpose (net::ERR_ABORTED), which is harmless.
  return errors;
}

/** Fail on any request that leaves the page's own origin (the lab must work offline). */
export function collectForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  return foreign;
}
