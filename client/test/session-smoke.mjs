// Expired sessions: a dead access token is refreshed silently; a dead refresh token sends the user
// to /login and back to where they were.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4173';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
async function withSession(tokens) {
  const ctx = await browser.newContext();
  await ctx.addInitScript((t) => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('flotilla.session', JSON.stringify(t));
      sessionStorage.setItem('seeded', '1');
    }
  }, tokens);
  return ctx.newPage();
}
let ok = true;
{
  const page = await withSession({ accessToken: 'expired', refreshToken: 'ref', expiresAt: 0 });
  await page.goto(`${base}/my-library/videos`);
  await page.waitForSelector('h1:has-text("My videos")', { timeout: 10000 });
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('flotilla.session')).accessToken);
  console.log(`refreshed silently: ${stored.startsWith('tok')}`);
  ok &&= stored.startsWith('tok');
}
{
  const page = await withSession({ accessToken: 'expired', refreshToken: 'dead', expiresAt: 0 });
  await page.goto(`${base}/my-library/videos`);
  await page.waitForURL(/\/login\?/, { timeout: 10000 });
  console.log(`sent to ${new URL(page.url()).pathname}${new URL(page.url()).search}`);
  await page.fill('#username', 'root');
  await page.fill('#password', 'password');
  await page.click('form.auth-card button[type=submit]');
  await page.waitForURL(/\/my-library\/videos$/, { timeout: 10000 });
  console.log(`back at ${new URL(page.url()).pathname}`);
}
await browser.close();
console.log(ok ? 'SESSION OK' : 'SESSION FAILED');
process.exit(ok ? 0 : 1);
