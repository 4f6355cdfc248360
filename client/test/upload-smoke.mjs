// Upload page in Chromium against the mock server: pick a file, watch the progress, reload in the
// middle, pick the same file again, resume, finish. Run the mock with SLOW_UPLOADS=400.
// Usage: node test/upload-smoke.mjs [baseUrl]
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4173';
const file = '/tmp/flotilla-upload-test.mp4';
writeFileSync(file, Buffer.alloc(6 * 1024 * 1024, 7));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
await ctx.addInitScript(() => {
  if (!localStorage.getItem('flotilla.session')) localStorage.setItem('flotilla.session', JSON.stringify({ accessToken: 'tok1', refreshToken: 'ref', expiresAt: 9e12 }));
});
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log(`pageerror ${e.message}`));
await page.goto(`${base}/videos/upload`);
await page.setInputFiles('input[type=file][aria-label="Video file"]', file);
await page.waitForFunction(() => /([1-9]\d?)%/.test(document.querySelector('.progress-facts')?.textContent ?? ''), null, { timeout: 20000 });
const before = await page.textContent('.progress-facts');
console.log(`before reload: ${before?.trim()}`);
await page.reload();
await page.setInputFiles('input[type=file][aria-label="Video file"]', file);
await page.waitForSelector('text=Resume your upload?', { timeout: 10000 });
console.log(`offer: ${(await page.textContent('[role=dialog] p'))?.trim()}`);
await page.click('text=Resume upload');
await page.waitForSelector('text=Uploaded', { timeout: 60000 });
await page.screenshot({ path: '/tmp/flotilla-shots/upload-done.png' });
console.log('UPLOAD OK');
await browser.close();
