// Two (or three) headless Chromium pages play the same video 5 s apart and report
// window.flotillaPlayer.stats(): proof that the player plays, announces to the tracker, swaps
// segments with peers and passes them through the SHA-256 check.
// Usage: node test/p2p-smoke.mjs [baseUrl] [watchPath]
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4173';
const path = process.argv[3] ?? '/w/fixture1';
const viewers = Number(process.env.VIEWERS ?? 2);
const playSeconds = Number(process.env.PLAY_SECONDS ?? 18);
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--allow-loopback-in-peer-connection',
];

const browsers = [];
const pages = [];
for (let i = 0; i < viewers; i++) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
  const ctx = await browser.newContext();
  // Without these Chromium gathers no ICE candidate at all (notes/p2p.md).
  await ctx.grantPermissions(['camera', 'microphone'], { origin: new URL(base).origin });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(`[viewer ${i}] pageerror ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.log(`[viewer ${i}] ${m.text()}`));
  await page.goto(base + path, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => !!window.flotillaPlayer, null, { timeout: 20000 });
  await page.evaluate(() => window.flotillaPlayer.play());
  browsers.push(browser);
  pages.push(page);
  if (i < viewers - 1) await page.waitForTimeout(5000);
}
await pages[0].waitForTimeout(playSeconds * 1000);
let p2pTotal = 0;
let rejectedTotal = 0;
let minTime = Infinity;
for (const [i, page] of pages.entries()) {
  const s = await page.evaluate(() => ({ ...window.flotillaPlayer.stats(), t: window.flotillaPlayer.getCurrentTime(), rejected: window.flotillaPlayer.rejectedSegments(), holdMs: window.flotillaPlayer.startupHoldMs(), engine: window.flotillaPlayer.engine }));
  p2pTotal += s.p2pBytes;
  rejectedTotal += s.rejected;
  minTime = Math.min(minTime, s.t);
  console.log(`viewer ${i}: ${JSON.stringify(s)}`);
  if (i === 0 && process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
}
for (const b of browsers) await b.close();
if (process.env.EXPECT_REJECT === '1') {
  // Tampered segments-sha256.json: peers' segments must all be refused, playback must go on over HTTP.
  const ok = rejectedTotal > 0 && p2pTotal === 0 && minTime > 5;
  console.log(ok ? 'HASH CHECK OK: bad segments refused, playback continued' : 'HASH CHECK FAILED');
  process.exit(ok ? 0 : 1);
}
console.log(p2pTotal > 0 ? 'P2P OK' : 'NO P2P BYTES');
process.exit(p2pTotal > 0 ? 0 : 1);
