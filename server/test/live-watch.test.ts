import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher } from './helpers/live';
import { waitFor } from './helpers/runners';
import { freePort, ROOT_PASSWORD, TestServer } from './helpers/test-server';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'];

/**
 * The web client with a real live in headless Chromium: the watch page goes from "waiting" to
 * playing and to "ended" on /live-videos events alone (no reload), shows LIVE and the viewer count;
 * the Go live tab creates a live and shows its RTMP URL and key. (HTTP only: P2P is off for lives
 * in the player today, so no loopback namespace is needed.)
 */
describe('live in the browser', () => {
  let server: TestServer;
  let root: ApiClient;
  let browser: Browser;
  let channelId: number;
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    server = await TestServer.start({
      live: { enabled: true, reconnect_grace: '1 second', rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } },
      runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 1 } },
      rates_limit: { api: { max: 5000 } },
    });
    root = await server.login();
    channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 90_000);

  afterAll(async () => {
    for (const p of publishers) await p.kill();
    await browser?.close();
    await server?.stop();
  });

  const text = (page: Page, selector: string) => page.locator(selector).first().textContent({ timeout: 1000 }).catch(() => null);

  it('the watch page switches from waiting to playing to ended without a reload, with LIVE and the viewer count', async () => {
    const { uuid, live } = await createLive(root, channelId, { name: 'Browser live', latencyMode: 3 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/w/${uuid}`);
    await page.locator('[data-live="waiting"]').waitFor({ timeout: 20_000 });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await waitFor(async () => (await text(page, '[data-live-viewers]'))?.includes('1 watching'), 10_000, 200);

    const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    publishers.push(publisher);
    await page.locator('[data-live="on-air"]').waitFor({ timeout: 40_000 });
    const played = await waitFor(async () => {
      const t = await page.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
      return t > 1 ? t : null;
    }, 30_000, 300);
    expect(played).toBeGreaterThan(1);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    await publisher.stop();
    await page.locator('[data-live="ended"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the Go live tab creates a live and shows its RTMP URL and stream key', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('#username', 'root');
    await page.fill('#password', ROOT_PASSWORD);
    await page.click('form.auth-card button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
    await page.goto(`${server.url}/videos/upload`);
    await page.click('[data-tab="go-live"]');
    await page.waitForURL(/\/videos\/go-live$/);
    await page.fill('#live-name', 'Made in the browser');
    await page.check('text=Permanent live');
    await page.click('form.live-form button[type=submit]');
    await page.locator('[data-stream-key]').waitFor({ timeout: 15_000 });
    const key = await page.locator('[data-stream-key]').inputValue();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.locator('#live-rtmp').inputValue()).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    await waitFor(async () => (await text(page, '[data-live-state]')) === 'Waiting for your stream', 5000, 100);
    const mine = await root.get<{ data: { id: number; name: string; isLive: boolean }[] }>('/api/v1/users/me/videos', { count: 10 });
    const created = mine.data.find((v) => v.name === 'Made in the browser');
    expect(created?.isLive).toBe(true);
    const apiLive = await root.get<{ streamKey: string; permanentLive: boolean }>(`/api/v1/videos/live/${created!.id}`);
    expect(apiLive).toMatchObject({ streamKey: key, permanentLive: true });
    // A new key replaces the old one.
    await page.click('text=New key');
    await waitFor(async () => (await page.locator('[data-stream-key]').inputValue()) !== key, 5000, 100);
    await page.close();
  }, 120_000);
});
