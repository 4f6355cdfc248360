// Screenshots of the SPA in headless Chromium (light + dark, desktop + phone) to eyeball the design.
// Usage: node test/screenshots.mjs [baseUrl] [outDir]   (serve dist with `npx vite preview` first)
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4173';
const out = process.argv[3] ?? '/tmp/flotilla-shots';
const pages = (process.env.SHOT_PATHS ?? '/,/w/abc123,/videos/upload,/my-library/videos,/login,/signup,/admin/runners,/search?search=test,/c/demo,/nope').split(',');
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
      if (tag === 'phone' && !['/', '/w/abc123', '/videos/upload'].includes(p)) continue;
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
