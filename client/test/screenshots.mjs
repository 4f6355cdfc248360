// Screenshots of the SPA in headless Chromium (light + dark, desktop + phone) to eyeball the design,
// taken from a running Flotilla server (`npm start` serves the built client on :9000).
// Usage: node test/screenshots.mjs [baseUrl] [outDir]
//   SHOT_PATHS=/,/w/<shortUUID>,…  pages to take (add a watch page of a video on that server)
//   SHOT_SESSION='<JSON of localStorage flotilla.session>'  to appear logged in
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:9000';
const out = process.argv[3] ?? new URL('../../test-artifacts/screenshots', import.meta.url).pathname;
const pages = (process.env.SHOT_PATHS ?? '/,/videos/upload,/my-library/videos,/login,/signup,/admin/runners,/search?search=test,/nope').split(',');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const session = process.env.SHOT_SESSION; // JSON of flotilla.session to appear logged in
for (const scheme of ['light', 'dark']) {
  for (const [vw, vh, tag] of [[1366, 900, 'desktop'], [390, 844, 'phone']]) {
    const ctx = await browser.newContext({ viewport: { width: vw, height: vh }, colorScheme: scheme, deviceScaleFactor: 1 });
    if (session) await ctx.addInitScript((s) => localStorage.setItem('flotilla.session', s), session);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.log(`[console] ${m.text()}`));
    for (const p of pages) {
      if (tag === 'phone' && !(p === '/' || p.startsWith('/w/') || p === '/videos/upload')) continue;
      await page.goto(base + p, { waitUntil: 'networkidle' }).catch(() => undefined);
      await page.waitForTimeout(600);
      const name = `${out}/${scheme}-${tag}-${p.replace(/[^a-z0-9]+/gi, '_') || 'home'}.png`;
      await page.screenshot({ path: name, fullPage: false });
      console.log(name);
    }
    await ctx.close();
  }
}
await browser.close();
