import { expect, test } from '@playwright/test';
import { collectErrors } from './pages';

/**
 * Issue 14 on the "One token at a time" page: an emoji prompt's byte tokens are grouped under the
 * character they spell, with their bytes in the tooltips and a note on byte-level BPE; characters are
 * counted in code points; sampling is the default with greedy one click away; the model-size note and
 * the sampling study are on the page. wasm backend, one step only (no timing assertions).
 */
test.setTimeout(300_000);

test('an emoji prompt shows one grouped character over its byte tokens, explained, and counts code points', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/lessons/one-token-at-a-time/?backend=wasm');
  const cell = page.locator('[data-cell="one-token"]');
  await expect(cell.locator('[data-model-status="ready"]')).toBeVisible({ timeout: 180_000 });

  // Readable by default: seeded sampling is chosen, greedy is one click away and says why it loops.
  await expect(cell.getByRole('radio', { name: /sampled/ })).toBeChecked();
  await cell.getByRole('radio', { name: 'greedy' }).check();
  await expect(cell.getByText(/so it loops/)).toBeVisible();
  await cell.getByRole('radio', { name: /sampled/ }).check();
  await expect(cell.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('1');

  const prompt = cell.getByRole('textbox', { name: 'Prompt' });
  await prompt.fill('Emma 😀 smiled');
  // 13 code points; String.length would say 14.
  await expect(cell.locator('.prompt-count')).toContainText('13 characters (Unicode code points)');
  await expect(cell.locator('[data-byte-note]')).toHaveCount(0);

  await cell.getByRole('button', { name: 'Step' }).click();
  await expect(cell.locator('[data-cache-len]')).not.toHaveAttribute('data-cache-len', '0', { timeout: 120_000 });
  const group = cell.locator('[data-char-group="😀"]');
  await expect(group).toHaveCount(1);
  await expect(group.locator('.chip-group-char')).toHaveText('😀');
  await expect(group.locator('.chip')).toHaveCount(4); // F0 9F 98 80: no merge joins them in this vocabulary
  await expect(group.locator('.chip-tip').first()).toContainText('bytes F0', { useInnerText: false });
  await group.locator('.chip').first().hover();
  await expect(group.locator('.chip-tip').first()).toBeVisible();
  const note = cell.locator('[data-byte-note]');
  await expect(note).toContainText('byte-level BPE');
  await expect(note).toContainText('4 UTF-8 bytes');
  await page.screenshot({ path: 'test-results/byte-tokens-one-token.png', fullPage: false, clip: (await cell.boundingBox()) ?? undefined });

  // The honest note on the model's size and the measured reason for the default decoding.
  await expect(page.locator('[data-model-size-note]')).toContainText('parameters');
  await expect(page.locator('[data-model-size-note] .model-sample')).toHaveCount(2);
  await expect(page.locator('[data-sampling-study] tr[data-chosen]')).toContainText('temperature 0.7, top-k 40');
  await page.locator('[data-model-size-note]').screenshot({ path: 'test-results/byte-tokens-size-note.png' });
  await page.locator('[data-sampling-study]').screenshot({ path: 'test-results/byte-tokens-sampling-study.png' });
  expect(errors).toEqual([]);
});
