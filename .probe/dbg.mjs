import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '/work/wt/worker/scripts/chromium.js';
const b = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const p = await b.newPage();
p.on('console', m => console.log('console', m.type(), m.text().slice(0,300)));
p.on('pageerror', e => console.log('pageerror', e.message));
p.on('worker', w => console.log('worker started', w.url()));
await p.goto('http://127.0.0.1:4307' + (process.argv[2] ?? '/lessons/race/?tokens=8&autorun=1'));
for (let i = 0; i < 6; i++) {
  await p.waitForTimeout(5000);
  console.log(i, (await p.locator('[data-cell="race"]').innerText()).replace(/\s+/g, ' ').slice(-300));
}
await b.close();
