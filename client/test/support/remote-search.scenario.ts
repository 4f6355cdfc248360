/// <reference types="node" />
/**
 * "Search remote URI" and remote channel/account pages in headless Chromium against two real
 * federated instances (run by remote-search.test.ts in a loopback-only namespace): B has a video
 * and two channels, A knows none of them. A visitor pasting the video's URL into A's search is
 * offered to log in and nothing is fetched; logged in, the same search shows the video, whose
 * channel link opens B's channel page on A (/c/name@host) with the video; a `@name@host` handle
 * opens the channels tab with the fetched channel, and its owner link opens /a/name@host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { User } from '@flotilla/shared';
import { ROOT_PASSWORD } from '../../../server/test/helpers/test-server';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { Viewer } from './viewers';

export interface RemoteSearchResult {
  error: string | null;
  checks: Record<string, boolean>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: RemoteSearchResult = { error: null, checks: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const ok = (p: Promise<unknown>) => p.then(() => true, () => false);
const visible = (page: Page, sel: string, timeout = 15_000) => ok(page.waitForSelector(sel, { timeout }));
const FED = { transcoding: { enabled: false }, runners: { embedded: { enabled: false } }, federation: { enabled: true, prevent_ssrf: false } };

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-remote-search-'));
  const stacks: Stack[] = [];
  let v: Viewer | null = null;
  try {
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });
    const [a, b] = await Promise.all([startStack(FED), startStack(FED)]);
    stacks.push(a, b);
    const A = a.server.url;
    const hostB = new URL(b.server.url).host;
    const rootB = await b.server.login('root', ROOT_PASSWORD);
    const channel = (await rootB.request<User>('GET', '/api/v1/users/me')).videoChannels[0];
    await rootB.request('PUT', `/api/v1/video-channels/${channel.name}`, { json: { displayName: 'Channel on B' } });
    await rootB.request('POST', '/api/v1/video-channels', { json: { name: 'second_b', displayName: 'Second on B' } });
    const video = (await uploadVideo(rootB, clip, { name: 'Remote clip', channelId: String(channel.id), privacy: '1' })).video;
    const videoUrl = `${b.server.url}/videos/watch/${video.uuid}`;
    const remoteOnA = async () => (await a.server.api.request<{ total: number }>('GET', '/api/v1/videos', { query: { isLocal: 'false' } })).total;

    v = await Viewer.launch('searcher', A);
    v.page.on('pageerror', (e) => result.pageErrors.push(e.message));
    const page = v.page;

    // Anonymous: offered to log in; A fetched nothing.
    await page.goto(`${A}/search?search=${encodeURIComponent(videoUrl)}`);
    check('anonymous: the page offers to log in', await visible(page, 'text=Not known on this instance yet'));
    check('anonymous: nothing fetched', (await remoteOnA()) === 0);

    await page.goto(`${A}/login`);
    await page.fill('#username', 'root');
    await page.fill('#password', ROOT_PASSWORD);
    await page.click('form.auth-card button[type=submit]');
    check('logs in', await ok(page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 })));

    // Logged in: the pasted URL shows the fetched video.
    await page.goto(`${A}/search?search=${encodeURIComponent(videoUrl)}`);
    check('the pasted video URL shows the remote video', await visible(page, 'article.card h3.title >> text=Remote clip'));
    check('the video is stored on A', (await remoteOnA()) === 1);
    await page.click('article.card a.channel');
    check('its channel link opens /c/name@host', await ok(page.waitForURL((u) => decodeURIComponent(u.pathname) === `/c/${channel.name}@${hostB}`, { timeout: 10_000 })));
    check('the remote channel page shows its name', await visible(page, 'h1 >> text=Channel on B'));
    check('the remote channel page lists its video', await visible(page, 'article.card h3.title >> text=Remote clip'));

    // A handle: the channels tab with the fetched channel, then its page and its owner's.
    await page.goto(`${A}/search?search=${encodeURIComponent(`@second_b@${hostB}`)}`);
    check('a handle search shows the fetched channel', await visible(page, '.channel-result >> text=Second on B'));
    check('the handle search opened the channels tab', (await page.inputValue('#result-type')) === 'channels');
    await page.click('.channel-result a.channel-name');
    check('the channel result links to /c/name@host', await ok(page.waitForURL((u) => decodeURIComponent(u.pathname) === `/c/second_b@${hostB}`, { timeout: 10_000 })));
    check('the second channel page renders', await visible(page, 'h1 >> text=Second on B'));
    await page.click('.actor-text a[href^="/a/"]');
    check('the owner link opens /a/name@host', await ok(page.waitForURL((u) => decodeURIComponent(u.pathname) === `/a/root@${hostB}`, { timeout: 10_000 })));
    check('the remote account page renders', (await visible(page, `text=root@${hostB}`)) && !(await page.isVisible('text=This account does not exist')));

    // An unknown handle: nothing found, said so.
    await page.goto(`${A}/search?search=${encodeURIComponent(`@nobody@${hostB}`)}`);
    check('an unknown handle finds nothing', await visible(page, 'text=Nothing was found at this address.'));
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    await v?.close().catch(() => undefined);
    for (const s of stacks) await s.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    result.ms = Date.now() - t0;
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
