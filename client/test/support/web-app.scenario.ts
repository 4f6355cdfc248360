/// <reference types="node" />
/**
 * The rest of the web client against the real server, run by web-app.test.ts in a loopback-only
 * namespace (same stack as web-e2e): a resumable upload interrupted by a page reload and resumed,
 * expired sessions (silent refresh, then a dead refresh token sending the user to /login and back),
 * the player's keyboard/mouse controls and remembered preferences on a transcoded video, and an
 * accessibility audit (axe-core, WCAG 2.1 A/AA rules) of every page, logged out and in, light and dark.
 * Each check is recorded by name; the test file asserts on them.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '@flotilla/shared';
import { ROOT_PASSWORD } from '../../../server/test/helpers/test-server';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer } from './viewers';

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the first offending elements. */
  nodes: string[];
}

export interface WebAppResult {
  error: string | null;
  checks: Record<string, boolean>;
  /** Per audited page (`<label>`): axe-core's violations of the WCAG 2.1 A/AA rules. */
  a11y: Record<string, A11yViolation[]>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: WebAppResult = { error: null, checks: {}, a11y: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const viewers: Viewer[] = [];

async function viewer(stack: Stack, name: string): Promise<Viewer> {
  const v = await Viewer.launch(name, stack.server.url);
  viewers.push(v);
  v.page.on('pageerror', (e) => result.pageErrors.push(`${name}: ${e.message}`));
  return v;
}

async function uiLogin(v: Viewer, base: string): Promise<void> {
  await v.page.goto(`${base}/login`);
  await v.page.fill('#username', 'root');
  await v.page.fill('#password', ROOT_PASSWORD);
  await v.page.click('form.auth-card button[type=submit]');
  await v.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
}

/** 1 MiB chunks (uploads.max_chunk_size), each PUT slowed by the test's route: a reload lands mid-upload. */
async function uploadResume(stack: Stack, clip: string): Promise<void> {
  const v = await viewer(stack, 'uploader');
  const base = stack.server.url;
  await uiLogin(v, base);
  await v.page.route(/\/api\/v1\/videos\/upload-resumable\?/, async (route) => {
    if (route.request().method() === 'PUT') await sleep(300);
    await route.continue();
  });
  // What the server said it holds (Range of its 308s) before the reload, and where chunks start after.
  let heldBeforeReload = 0;
  let reloaded = false;
  const chunkStartsAfter: number[] = [];
  v.page.on('response', (res) => {
    const range = res.status() === 308 ? /bytes=0-(\d+)/.exec(res.headers()['range'] ?? '') : null;
    if (range && !reloaded) heldBeforeReload = Math.max(heldBeforeReload, Number(range[1]) + 1);
  });
  v.page.on('request', (req) => {
    const m = req.method() === 'PUT' ? /^bytes (\d+)-/.exec(req.headers()['content-range'] ?? '') : null;
    if (m && reloaded) chunkStartsAfter.push(Number(m[1]));
  });
  await v.page.goto(`${base}/videos/upload`);
  await v.page.setInputFiles('input[type=file][aria-label="Video file"]', clip);
  await v.page.waitForFunction(() => /\b([2-9]\d)%/.test(document.querySelector('.progress-facts')?.textContent ?? ''), null, { timeout: 30_000 });
  result.notes.push(`before reload: ${(await v.page.textContent('.progress-facts'))?.trim()}`);
  reloaded = true;
  await v.page.reload();
  await v.page.setInputFiles('input[type=file][aria-label="Video file"]', clip);
  const offered = await v.page.waitForSelector('text=Resume your upload?', { timeout: 10_000 }).then(() => true, () => false);
  check('reload offers to resume the upload', offered);
  if (!offered) return;
  result.notes.push(`offer: ${(await v.page.textContent('[role=dialog] p'))?.trim()}`);
  await v.page.click('text=Resume upload');
  check('resumed upload finishes', await v.page.waitForSelector('.badge:has-text("Uploaded")', { timeout: 60_000 }).then(() => true, () => false));
  // Where it stopped: the first chunk after the reload starts at (or past, if a chunk in flight landed
  // in part) what the server held before it — never at 0.
  result.notes.push(`held before reload ${heldBeforeReload} bytes, chunks after start at ${chunkStartsAfter.join(', ')}`);
  check('resumed from the bytes the server held, not from 0', heldBeforeReload > 0 && chunkStartsAfter.length > 0 && chunkStartsAfter[0] >= heldBeforeReload);
  const mine = await (await stack.server.login()).get<{ data: { name: string }[] }>('/api/v1/users/me/videos', { count: 50 });
  check('exactly one video was created by the resumed upload', mine.data.filter((x) => x.name === 'resume-me').length === 1);
}

async function sessions(stack: Stack): Promise<void> {
  const base = stack.server.url;
  const v = await viewer(stack, 'session');
  await uiLogin(v, base);
  type Tokens = { accessToken: string; refreshToken: string; expiresAt: number };
  const real = await v.page.evaluate(() => JSON.parse(localStorage.getItem('flotilla.session')!) as { accessToken: string; refreshToken: string; expiresAt: number });
  const seed = (t: Tokens) => v.page.evaluate((x) => localStorage.setItem('flotilla.session', JSON.stringify(x)), t);

  await seed({ ...real, accessToken: 'expired-token', expiresAt: 0 });
  await v.page.goto(`${base}/my-library/videos`);
  check('expired access token: the page still loads', await v.page.waitForSelector('h1:has-text("My videos")', { timeout: 10_000 }).then(() => true, () => false));
  const stored = await v.page.evaluate(() => JSON.parse(localStorage.getItem('flotilla.session') ?? '{}').accessToken as string);
  check('expired access token: refreshed silently', !!stored && stored !== 'expired-token');

  await seed({ accessToken: 'expired-token', refreshToken: 'dead-refresh-token', expiresAt: 0 });
  await v.page.goto(`${base}/my-library/videos`);
  const sent = await v.page.waitForURL(/\/login\?/, { timeout: 10_000 }).then(() => true, () => false);
  check('dead refresh token: sent to /login', sent);
  if (!sent) return;
  await v.page.fill('#username', 'root');
  await v.page.fill('#password', ROOT_PASSWORD);
  await v.page.click('form.auth-card button[type=submit]');
  check('after logging in again: back where the user was', await v.page.waitForURL(/\/my-library\/videos$/, { timeout: 10_000 }).then(() => true, () => false));
}

async function controls(stack: Stack, watchPath: string): Promise<void> {
  const v = await viewer(stack, 'controls');
  const { page } = v;
  const fp = <T>(fn: () => T) => page.evaluate(fn);
  type W = { flotillaPlayer: { isPlaying(): boolean; getCurrentTime(): number; getVolume(): number } };
  await page.goto(stack.server.url + watchPath);
  await page.waitForFunction(() => !!(window as unknown as Partial<W>).flotillaPlayer, null, { timeout: 20_000 });
  await page.focus('.player');
  // Anonymous viewers get PeerTube's default: the watch page starts playing by itself.
  await until('autoplay', () => fp(() => (window as unknown as W).flotillaPlayer.getCurrentTime() > 0.3), 10_000).catch(() => undefined);
  check('plays by itself', await fp(() => (window as unknown as W).flotillaPlayer.isPlaying()));
  // The pause event is dispatched asynchronously: wait for the state (5 s at most), not a fixed time.
  const becomes = (pred: () => boolean) => page.waitForFunction(pred, null, { timeout: 5000 }).then(() => true, () => false);
  const becomesWith = (pred: (arg: number) => boolean, arg: number) => page.waitForFunction(pred, arg, { timeout: 5000 }).then(() => true, () => false);
  await page.keyboard.press('k');
  check('k pauses (first press)', await becomes(() => !(window as unknown as W).flotillaPlayer.isPlaying()));
  const paused = await fp(() => (window as unknown as W).flotillaPlayer.getCurrentTime());
  await page.keyboard.press('k');
  await until('k to resume playback', () => fp(() => (window as unknown as W).flotillaPlayer.getCurrentTime() > paused + 0.3), 10_000).catch(() => undefined);
  check('k plays', await fp(() => (window as unknown as W).flotillaPlayer.isPlaying()));
  const t0 = await fp(() => (window as unknown as W).flotillaPlayer.getCurrentTime());
  await page.keyboard.press('ArrowRight');
  check('→ seeks forward 5 s', await becomesWith((from: number) => (window as unknown as W).flotillaPlayer.getCurrentTime() >= from + 4, t0));
  await page.keyboard.press('m');
  check('m mutes', await fp(() => document.querySelector('video')!.muted));
  await page.keyboard.press('m');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const vol = await fp(() => (window as unknown as W).flotillaPlayer.getVolume());
  check('↓ lowers the volume', vol < 1 && vol > 0.85);
  await page.click('button.quality-btn');
  await page.click('[role=menuitemradio]:has-text("240p")');
  check('quality menu picks 240p', await becomes(() => !!document.querySelector('.quality-label')?.textContent?.includes('240p')));
  await page.click('button.p2p-btn');
  await page.uncheck('.p2p-panel input[type=checkbox]');
  await page.keyboard.press('k');
  check('k pauses', await becomes(() => !(window as unknown as W).flotillaPlayer.isPlaying()));
  await page.reload();
  await page.waitForFunction(() => !!(window as unknown as Partial<W>).flotillaPlayer, null, { timeout: 20_000 });
  await page.focus('.player');
  await page.keyboard.press('k');
  check('volume remembered', await becomesWith((want: number) => Math.abs((window as unknown as W).flotillaPlayer.getVolume() - want) < 0.001, vol));
  const prefs = await fp(() => JSON.parse(localStorage.getItem('flotilla.player') ?? '{}') as { p2pEnabled?: boolean; quality?: number });
  check('P2P off and 240p remembered', prefs.p2pEnabled === false && prefs.quality === 240);
  await page.click('button.p2p-btn');
  check('P2P switch shows off after reload', !(await page.isChecked('.p2p-panel input[type=checkbox]')));
  check('240p applied after reload', !!(await page.textContent('.quality-label'))?.includes('240p'));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Opens `path`, lets it settle, runs axe-core in the page and records its violations under `label`. */
async function audit(v: Viewer, base: string, label: string, path: string): Promise<void> {
  await v.page.goto(base + path);
  // Lists and forms are filled from the API; the watch page never goes network-idle (media, tracker):
  // it is ready when its player is. A page that did not settle or render fails the run instead of
  // being audited as clean.
  if (path.startsWith('/w/') || path.startsWith('/videos/embed/')) {
    await v.page.waitForFunction(() => !!(window as unknown as { flotillaPlayer?: unknown }).flotillaPlayer, null, { timeout: 15_000 });
  } else {
    await v.page.waitForLoadState('networkidle', { timeout: 15_000 });
    const text = await v.page.evaluate(() => document.querySelector('main')?.textContent?.trim().length ?? 0);
    if (!text) throw new Error(`${label} (${path}): the page rendered nothing in <main>`);
  }
  await v.page.addScriptTag({ content: AXE_SOURCE });
  result.a11y[label] = await v.page.evaluate(async () => {
    type Axe = { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> };
    const axe = (window as unknown as { axe: Axe }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

/** Every route, as a visitor and as the administrator, in the light theme and (a few) in the dark one. */
async function accessibility(stack: Stack, video: { uuid: string; shortUUID: string }, channel: string): Promise<void> {
  const watchPath = `/w/${video.shortUUID}`;
  const v = await viewer(stack, 'a11y');
  const base = stack.server.url;
  for (const [label, path] of [
    ['home', '/'], ['watch', watchPath], ['channel', `/c/${channel}`], ['account', '/a/root'], ['search', '/search?search=controls'],
    ['login', '/login'], ['signup', '/signup'], ['not found', '/no/such/page'], ['embed', `/videos/embed/${video.uuid}`],
  ]) await audit(v, base, label, path);
  await uiLogin(v, base);
  for (const [label, path] of [
    ['upload', '/videos/upload'], ['my videos', '/my-library/videos'], ['edit video', `/my-library/videos/${video.uuid}/edit`], ['admin runners', '/admin/runners'], ['admin jobs', '/admin/jobs'], ['watch (logged in)', watchPath],
  ]) {
    await audit(v, base, label, path);
  }
  await v.page.evaluate(() => localStorage.setItem('flotilla.theme', 'dark'));
  for (const [label, path] of [['home (dark)', '/'], ['watch (dark)', watchPath], ['upload (dark)', '/videos/upload'], ['admin runners (dark)', '/admin/runners']]) {
    await audit(v, base, label, path);
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-web-app-'));
  let stack: Stack | null = null;
  try {
    const clip = makeClip(dir, 'controls.mp4', { seconds: 20, size: '640x360' });
    // ~8 MB, to be uploaded in 1 MiB chunks (lossless frames make it big quickly).
    const big = makeClip(dir, 'resume-me.mp4', { seconds: 6, size: '640x360', lossless: true });
    result.notes.push(`resume file: ${statSync(big).size} bytes`);
    stack = await startStack({ uploads: { max_chunk_size: 1024 * 1024 } });
    const admin = await stack.server.login();
    const me = await admin.get<User>('/api/v1/users/me');
    const channelId = me.videoChannels[0].id;
    const { video } = await uploadVideo(admin, clip, { name: 'controls', channelId: String(channelId) });
    await sessions(stack);
    await uploadResume(stack, big);
    await until('both renditions of the controls video', async () => {
      const d = await admin.get<{ state: { id: number }; streamingPlaylists: { files: unknown[] }[] }>(`/api/v1/videos/${video.uuid}`);
      return d.state.id === 1 && d.streamingPlaylists[0]?.files.length === 2;
    }, 90_000, 1000);
    await controls(stack, `/w/${video.shortUUID}`);
    await accessibility(stack, video, me.videoChannels[0].name);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    for (const v of viewers.splice(0)) await v.close();
    await stack?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    result.ms = Date.now() - t0;
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
