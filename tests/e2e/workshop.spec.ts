import { expect, test, type Page } from '@playwright/test';
import { PAGES } from './pages';

/**
 * Workshop mode: the presenter view, keys after a click on a cell's output, the class page served by
 * `kvlab serve`, the Content-Security-Policy on every page, and phones (no sideways overflow at 390 px).
 */
test.setTimeout(240_000);

const FIRST = '/lessons/what-the-kv-cache-is-for/';

/** Records CSP violations from the first script on: the console message and the DOM event both. */
async function watchCsp(page: Page): Promise<string[]> {
  const found: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) found.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return found;
}

test('every page passes its Content-Security-Policy with no violations (and the 404 page and class page too)', async ({ page }) => {
  const console = await watchCsp(page);
  for (const path of [...PAGES, '/class/', '/no-such-page/']) {
    const res = await page.goto(path);
    const scriptSrc = res!
      .headers()
      ['content-security-policy'].split(';')
      .find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc, path).toContain("'self'");
    expect(scriptSrc, path).not.toContain("'unsafe-eval'"); // 'wasm-unsafe-eval' only: WebAssembly, not JavaScript eval
    expect(scriptSrc, path).not.toContain("'unsafe-inline'"); // inline scripts by hash
    await page.waitForLoadState('networkidle');
    const events = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
    expect(events, path).toEqual([]);
  }
  // The WebAssembly backend compiles its .wasm under this policy ('wasm-unsafe-eval'): run a model on it.
  await page.goto('/lessons/one-token-at-a-time/?backend=wasm');
  await expect(page.locator('[data-cell="one-token"] [data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
  await expect(page.locator('[data-runs-on]').first()).toHaveAttribute('data-runs-on', 'wasm');
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
  expect(console).toEqual([]);
});

test('the 404 page is the lab’s, with status 404 and the lesson list', async ({ page }) => {
  const res = await page.goto('/lessons/no-such-lesson/');
  expect(res!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no page at this address');
  await expect(page.locator('.lesson-card')).toHaveCount(PAGES.length - 2);
});

test('presenter view: PageDown and Space advance from anywhere, PageUp goes back, Escape returns to the same cell', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${FIRST}?present`);
  const progress = page.locator('[data-present-progress]');
  await expect(progress).toHaveAttribute('data-present-progress', /^1\//);
  const total = Number((await progress.getAttribute('data-present-progress'))!.split('/')[1]);
  expect(total).toBeGreaterThan(3);
  await expect(page.locator('.notebook > :visible')).toHaveCount(1);

  // Projector sizes: body text ≥ 24 px.
  const bodyPx = await page.evaluate(() =>
    parseFloat(getComputedStyle(document.querySelector('[data-present-current] p') ?? document.body).fontSize),
  );
  expect(bodyPx).toBeGreaterThanOrEqual(24);

  // From the page itself (focus on body), then from inside the cell after a click on its text.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('PageDown');
  await expect(progress).toHaveAttribute('data-present-progress', `2/${total}`);
  await page.locator('[data-present-current]').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press(' ');
  await expect(progress).toHaveAttribute('data-present-progress', `3/${total}`);
  await page.keyboard.press('ArrowRight');
  await expect(progress).toHaveAttribute('data-present-progress', `4/${total}`);
  await page.keyboard.press('PageUp');
  await expect(progress).toHaveAttribute('data-present-progress', `3/${total}`);
  expect(new URL(page.url()).searchParams.get('present')).toBe('3');

  // A live cell keeps working while presented: find one and use its control.
  const liveIndex = await page.evaluate(() => [...document.querySelectorAll('.notebook > *')].findIndex((c) => c.matches('[data-cell]')));
  expect(liveIndex).toBeGreaterThanOrEqual(0);
  await page.goto(`${FIRST}?present=${liveIndex + 1}`);
  const live = page.locator('[data-present-current]');
  await expect(live).toHaveAttribute('data-cell', /.+/);
  const labelPx = await live.evaluate((c) => {
    const sizes = [...c.querySelectorAll<HTMLElement>('text, label, th, td, .heatmap-col')].map((e) =>
      parseFloat(getComputedStyle(e).fontSize),
    );
    return sizes.length ? Math.min(...sizes) : 0;
  });
  expect(labelPx).toBeGreaterThanOrEqual(18);
  await live.getByLabel('Model size').selectOption('gpt2medium');
  await expect.poll(() => new URL(page.url()).searchParams.get('cost.preset')).toBe('gpt2medium');

  await page.keyboard.press('Escape');
  await expect(page.locator('html')).not.toHaveClass(/presenting/);
  expect(new URL(page.url()).searchParams.has('present')).toBe(false);
  const cell = page.locator('.notebook > *').nth(liveIndex);
  await expect(cell).toBeFocused();
  await expect(cell).toBeInViewport();
  await expect(page.locator('.notebook > :visible')).not.toHaveCount(1);
});

test('keyboard stepping works after a click on a cell’s output, not only on its controls', async ({ page }) => {
  await page.goto('/lessons/one-token-at-a-time/');
  const cell = page.locator('[data-cell="one-token"]');
  await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });
  await expect(cell.locator('[data-cache-len]')).toHaveAttribute('data-cache-len', '0');
  await cell.locator('.cell-output .stats').click();
  await expect(cell).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect
    .poll(async () => Number(await cell.locator('[data-cache-len]').getAttribute('data-cache-len')), { timeout: 120_000 })
    .toBeGreaterThan(0);
});

test('the class page shows the room’s results live when served by kvlab serve, with a CSV download', async ({ page, request }) => {
  await page.goto('/class/');
  await expect(page.locator('[data-class-server="present"]')).toBeVisible();
  const before = Number(await page.locator('[data-result-count]').getAttribute('data-result-count'));
  const res = await request.post('/api/results', {
    data: {
      kind: 'race',
      nickname: 'e2e',
      device: 'Test rig',
      backend: 'wasm',
      model: 'austen',
      tokens: 32,
      repeats: 1,
      naiveMedianMs: 30,
      cachedMedianMs: 10,
      tokensMatch: true,
    },
  });
  expect(res.status()).toBe(201);
  await expect(page.locator('[data-result-count]')).toHaveAttribute('data-result-count', String(before + 1), { timeout: 15_000 });
  await expect(page.locator('[data-class-table]')).toContainText('Test rig');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  expect((await download).suggestedFilename()).toBe('class-results.csv');
});

test('phones: no lesson content overflows its column at 390 px', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of [...PAGES, '/class/']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const over = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const bad = [...document.querySelectorAll<HTMLElement>('main *')]
        .filter((e) => {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || !e.checkVisibility()) return false;
          // Content clipped by a scroll box is fine; only what sticks out of the page counts.
          let p = e.parentElement;
          while (p && p !== document.body) {
            const o = getComputedStyle(p).overflowX;
            if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return false;
            p = p.parentElement;
          }
          return r.right > width + 0.5 || r.left < -0.5;
        })
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`.slice(0, 80));
      return { scroll: document.documentElement.scrollWidth, width, bad: bad.slice(0, 5) };
    });
    expect(over.bad, path).toEqual([]);
    expect(over.scroll, path).toBeLessThanOrEqual(over.width);
  }
});

test('a URL with cell state restores the cell; changing a control writes it back; Reset clears it', async ({ page }) => {
  await page.goto(`${FIRST}?cost.preset=gpt2xl&cost.n=2048&cost.view=total&cost.extra=1&backend=wasm`);
  const cell = page.locator('[data-cell="kv-cost"]');
  await expect(cell.getByLabel('Model size')).toHaveValue('gpt2xl');
  await expect(cell.getByRole('slider')).toHaveValue('2048');
  await expect(cell.getByRole('radio', { name: /running/ })).toBeChecked();

  await cell.getByLabel('Model size').selectOption('gpt2medium');
  await expect.poll(() => new URL(page.url()).searchParams.get('cost.preset')).toBe('gpt2medium');

  await cell.getByRole('button', { name: 'Reset' }).click();
  await expect(cell.getByRole('slider')).toHaveValue('1024');
  await expect.poll(() => [...new URL(page.url()).searchParams.keys()].filter((k) => k.startsWith('cost.'))).toEqual([]);
  expect(new URL(page.url()).searchParams.get('backend')).toBe('wasm'); // other parameters stay
});

test('the newer lessons keep their cells in the URL too: a policy, a budget and a layer come back from a link', async ({ page }) => {
  await page.goto('/lessons/keep-less/?policy.choice=sinks&policy.budget=32&policy.layer=2');
  const cell = page.locator('[data-cell="policy-steps"]');
  await expect(cell.getByRole('radio', { name: /sinks \+ window/ })).toBeChecked();
  await expect(cell.getByRole('group', { name: 'Budget (rows kept)' }).getByRole('radio', { name: '32' })).toBeChecked();
  await expect(cell.getByRole('group', { name: 'Layer' }).getByRole('radio', { name: '3' })).toBeChecked();
  await cell.getByRole('radio', { name: 'H2O heavy hitters' }).check();
  await expect.poll(() => new URL(page.url()).searchParams.get('policy.choice')).toBe('h2o');
  await page.goto('/lessons/how-big-is-the-cache/?size.dtype=int4&size.context=abc');
  const size = page.locator('[data-cell="cache-size"]').first();
  await expect(size.getByLabel('Numbers stored as')).toHaveValue('int4');
});
