/// <reference types="node" />
/**
 * Issue 13's pages as a subscriber uses them, in headless Chromium against the real server (run by
 * notifications-pages.test.ts in a loopback-only namespace): ann subscribes to ben's channel from
 * its page (the count rises), ben publishes and ann's bell rises without a reload (socket), she reads
 * her notifications, marks them read, asks for e-mail in her settings, finds the video under
 * Subscriptions and unsubscribes from the watch page. axe-core audits each page, light and dark.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { User } from '@flotilla/shared';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { Viewer } from './viewers';

export interface NotificationPagesResult {
  error: string | null;
  checks: Record<string, boolean>;
  a11y: Record<string, Array<{ id: string; impact: string | null; help: string; nodes: string[] }>>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: NotificationPagesResult = { error: null, checks: {}, a11y: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const ok = (p: Promise<unknown>) => p.then(() => true, () => false);
const visible = (page: Page, sel: string, timeout = 15_000) => ok(page.waitForSelector(sel, { timeout }));
const textIs = (page: Page, sel: string, re: RegExp, timeout = 15_000) =>
  ok(page.waitForFunction(([s, r]) => [...document.querySelectorAll(s)].some((e) => new RegExp(r).test(e.textContent ?? '')), [sel, re.source] as const, { timeout }));

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA rules on the page as it is, then reloaded in the dark theme (a fresh load: no colour transition half-way). */
async function audit(page: Page, label: string, ready: string): Promise<void> {
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') {
      await page.evaluate(() => localStorage.setItem('flotilla.theme', 'dark'));
      await page.reload();
      await page.waitForSelector(ready, { timeout: 15_000 });
    }
    await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
    result.a11y[`${label} (${theme})`] = await page.evaluate(async () => {
      type Axe = { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> };
      const r = await (window as unknown as { axe: Axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
      return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
  }
  await page.evaluate(() => localStorage.removeItem('flotilla.theme'));
  await page.reload();
  await page.waitForSelector(ready, { timeout: 15_000 });
}

async function scenario(stack: Stack, dir: string): Promise<void> {
  const base = stack.server.url;
  const admin = await stack.server.login();
  for (const name of ['ann', 'ben']) {
    await admin.request('POST', '/api/v1/users', { json: { username: name, password: 'password1', email: `${name}@example.org`, role: 2 } });
  }
  const annApi = await stack.server.login('ann', 'password1');
  const benApi = await stack.server.login('ben', 'password1');
  const benChannel = (await benApi.get<User>('/api/v1/users/me')).videoChannels[0].id;
  const clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });

  const ann = await Viewer.launch('ann', base);
  try {
    const { page } = ann;
    page.on('pageerror', (e) => result.pageErrors.push(e.message));
    await page.goto(`${base}/login`);
    await page.fill('#username', 'ann');
    await page.fill('#password', 'password1');
    await page.click('form.auth-card button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });

    await page.goto(`${base}/c/ben_channel`);
    check('channel page: Subscribe button', await visible(page, '[data-testid=subscribe]:has-text("Subscribe")'));
    await audit(page, 'channel page', '[data-testid=subscribe]');
    await page.click('[data-testid=subscribe]');
    check('channel page: Unsubscribe once subscribed', await textIs(page, '[data-testid=subscribe][aria-pressed=true]:not([disabled])', /Unsubscribe/));
    check('channel page: count 1', await textIs(page, '[data-testid=followers-count]', /^1 subscriber$/));
    const subs = await annApi.get<{ total: number }>('/api/v1/users/me/subscriptions');
    check('the API lists the subscription', subs.total === 1);
    check('the channel counts the follower', (await annApi.get<{ followersCount: number }>('/api/v1/video-channels/ben_channel')).followersCount === 1);
    check('no unread count before', !(await page.$('[data-testid=unread-count]')));

    // ben publishes: ann's bell rises while she stays on the page (the socket, not a reload).
    const { video } = await uploadVideo(benApi, clip, { name: 'Ben new clip', channelId: String(benChannel), privacy: '1' });
    check('the bell rises without a reload', await textIs(page, '[data-testid=unread-count]', /^1$/, 30_000));

    await page.click('a[href="/my-account/notifications"]');
    check('notifications page lists the new video', await textIs(page, '[data-testid=notification]', /Ben new clip/));
    await audit(page, 'notifications page', '[data-testid=notification]');
    await page.click('button:has-text("Mark all as read")');
    check('mark all read: the bell empties', await ok(page.waitForSelector('[data-testid=unread-count]', { state: 'detached', timeout: 10_000 })));
    check('mark all read: the API agrees', (await annApi.get<{ total: number }>('/api/v1/users/me/notifications', { unread: true })).total === 0);
    const link = await page.getAttribute('[data-testid=notification] a', 'href');
    check('the notification links to the video', !!link && link.startsWith('/w/'));

    // Another user comments and names ann: the bell rises again, live.
    await benApi.request('POST', `/api/v1/videos/${video.uuid}/comment-threads`, { json: { text: 'Thanks for watching @ann' } });
    check('the bell rises when another user comments', await textIs(page, '[data-testid=unread-count]', /^1$/, 30_000));

    await page.goto(`${base}/my-account/settings`);
    await page.waitForSelector('#notif-title');
    await page.check('input[aria-label="New video from your subscriptions: by e-mail"]');
    await page.click('button:has-text("Save notification settings")');
    check('settings saved', await textIs(page, '.alert-success', /Notification settings saved/));
    check('settings stored (web + e-mail = 3)', (await annApi.get<User>('/api/v1/users/me')).notificationSettings.newVideoFromSubscription === 3);
    await audit(page, 'account settings with notifications', '#notif-title');

    await page.goto(`${base}/videos/subscriptions`);
    check('subscriptions page lists the video', await textIs(page, 'main', /Ben new clip/));
    await audit(page, 'subscriptions page', 'main h1');

    await page.goto(`${base}/w/${video.shortUUID}`);
    // Settled states only: the button is disabled while the server has not said, or a click is on its way.
    check('watch page: Unsubscribe shown', await textIs(page, '[data-testid=subscribe][aria-pressed=true]:not([disabled])', /Unsubscribe/));
    await audit(page, 'watch page with subscribe', '[data-testid=subscribe]');
    await page.click('[data-testid=subscribe]');
    check('watch page: unsubscribed', await textIs(page, '[data-testid=subscribe][aria-pressed=false]:not([disabled])', /^\s*Subscribe\s*$/));
    check('the API has no subscription left', await ok((async () => {
      for (let i = 0; i < 50; i++) {
        if ((await annApi.get<{ total: number }>('/api/v1/users/me/subscriptions')).total === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('still subscribed');
    })()));
  } finally {
    await ann.close();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-notif-pages-'));
  let stack: Stack | null = null;
  try {
    stack = await startStack({ transcoding: { enabled: false } });
    await scenario(stack, dir);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    await stack?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    result.ms = Date.now() - t0;
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
