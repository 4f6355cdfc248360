// Player controls by keyboard and mouse: play/pause (k), mute (m), volume (arrows) remembered across
// reloads, seek (→), quality menu (pick 240p), P2P switch persisted.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4173';
const path = process.argv[3] ?? '/w/fixture1';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
const page = await (await browser.newContext()).newPage();
page.on('pageerror', (e) => console.log(`pageerror ${e.message}`));
const fp = (expr) => page.evaluate(expr);
const checks = [];
const check = (name, ok) => {
  checks.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
};

await page.goto(base + path);
await page.waitForFunction(() => window.flotillaPlayer);
await page.focus('.player');
await page.keyboard.press('k');
await page.waitForTimeout(1500);
check('k plays', await fp(() => window.flotillaPlayer.isPlaying()));
const t0 = await fp(() => window.flotillaPlayer.getCurrentTime());
await page.keyboard.press('ArrowRight');
await page.waitForTimeout(300);
check('→ seeks forward 5 s', (await fp(() => window.flotillaPlayer.getCurrentTime())) >= t0 + 4);
await page.keyboard.press('m');
check('m mutes', await fp(() => document.querySelector('video').muted));
await page.keyboard.press('m');
await page.keyboard.press('ArrowDown');
await page.keyboard.press('ArrowDown');
const vol = await fp(() => window.flotillaPlayer.getVolume());
check('↓ lowers the volume', vol < 1 && vol > 0.85);
await page.click('button.quality-btn');
await page.click('[role=menuitemradio]:has-text("240p")');
await page.waitForTimeout(300);
check('quality menu picks 240p', (await page.textContent('.quality-label'))?.includes('240p'));
await page.click('button.p2p-btn');
await page.uncheck('.p2p-panel input[type=checkbox]');
await page.keyboard.press('k');
await page.waitForTimeout(300); // the pause event is dispatched asynchronously
check('k pauses', !(await fp(() => window.flotillaPlayer.isPlaying())));
await page.reload();
await page.waitForFunction(() => window.flotillaPlayer);
await page.focus('.player');
await page.keyboard.press('k');
await page.waitForTimeout(800);
check('volume remembered', Math.abs((await fp(() => window.flotillaPlayer.getVolume())) - vol) < 0.001);
const prefs = await fp(() => JSON.parse(localStorage.getItem('flotilla.player')));
check('P2P off and 240p remembered', prefs.p2pEnabled === false && prefs.quality === 240);
await page.click('button.p2p-btn');
check('P2P switch shows off after reload', !(await page.isChecked('.p2p-panel input[type=checkbox]')));
check('240p applied after reload', (await page.textContent('.quality-label'))?.includes('240p'));
await browser.close();
const ok = checks.every(Boolean);
console.log(ok ? 'CONTROLS OK' : 'CONTROLS FAILED');
process.exit(ok ? 0 : 1);
