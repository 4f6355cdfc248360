/// <reference types="node" />
/**
 * Issue 14's account, channel, browse and watch pages as the people who use them, in headless
 * Chromium against the real server (run by account-pages.test.ts in a loopback-only namespace):
 * a user logs in with her e-mail, changes her settings, avatar and password, makes and edits
 * channels, moves a video, deletes a channel that holds videos (its name typed) and finally her
 * account; a visitor browses and searches with filters; the watch page's dialogs, speed, theater
 * mode, quality label and markdown description are checked against the API and the <video>.
 * axe-core audits every new page (and open dialog) in the light and the dark theme.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import type { User, VideoChannel, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../src/api/http';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer } from './viewers';

export interface AccountPagesResult {
  error: string | null;
  checks: Record<string, boolean>;
  a11y: Record<string, Array<{ id: string; impact: string | null; help: string; nodes: string[] }>>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: AccountPagesResult = { error: null, checks: {}, a11y: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const viewers: Viewer[] = [];
const VIDEO_NAME = 'Watch page clip';
const DESCRIPTION = 'Some **bold** words <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>\n\nRead https://example.org and #flotilla';

async function viewer(stack: Stack, name: string): Promise<Viewer> {
  const v = await Viewer.launch(name, stack.server.url);
  viewers.push(v);
  v.page.on('pageerror', (e) => result.pageErrors.push(`${name}: ${e.message}`));
  return v;
}

const ok = (p: Promise<unknown>) => p.then(() => true, () => false);
const visible = (page: Page, sel: string, timeout = 10_000) => ok(page.waitForSelector(sel, { timeout }));
const alertText = (page: Page, sel: string, re: RegExp, timeout = 10_000) =>
  ok(page.waitForFunction(([s, r]) => [...document.querySelectorAll(s)].some((e) => new RegExp(r).test(e.textContent ?? '')), [sel, re.source] as const, { timeout }));

async function uiLogin(v: Viewer, base: string, username: string, password: string): Promise<boolean> {
  await v.page.goto(`${base}/login`);
  await v.page.fill('#username', username);
  await v.page.fill('#password', password);
  await v.page.click('form.auth-card button[type=submit]');
  return ok(v.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 }));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now (dialogs included). */
async function auditHere(page: Page, label: string): Promise<void> {
  const text = await page.evaluate(() => document.querySelector('main')?.textContent?.trim().length ?? 0);
  if (!text) throw new Error(`${label}: the page rendered nothing in <main>`);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  result.a11y[label] = await page.evaluate(async () => {
    type Axe = { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> };
    const r = await (window as unknown as { axe: Axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

async function openAndAudit(page: Page, base: string, label: string, path: string, ready: string): Promise<void> {
  await page.goto(base + path);
  if (!(await visible(page, ready, 15_000))) throw new Error(`${label} (${path}): ${ready} never appeared`);
  await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
  await auditHere(page, label);
}

interface Ctx {
  stack: Stack;
  base: string;
  admin: ApiClient;
  root: User;
  video: VideoDetails;
  erinVideoUuid: string;
  files: { png: string; bigPng: string };
}

/** Login with e-mail, settings, avatar (and a too large one), wrong then right current password. */
async function account(c: Ctx, erin: Viewer): Promise<void> {
  const { page } = erin;
  check('logs in with the e-mail address', await uiLogin(erin, c.base, 'erin@example.org', 'password1'));
  await page.goto(`${c.base}/my-account/settings`);
  await page.waitForSelector('#display-name');
  await page.fill('#display-name', 'Erin E');
  await page.click('button:has-text("Save profile")');
  check('profile saved', await alertText(page, '.alert-success', /Profile saved/));
  const api = await c.stack.server.login('erin', 'password1');
  check('display name stored', (await api.get<User>('/api/v1/users/me')).account.displayName === 'Erin E');

  await page.selectOption('#nsfw', 'blur');
  await page.uncheck('#autoplay');
  await page.click('button:has-text("Save video settings")');
  await alertText(page, '.alert-success', /Video settings saved/);
  const me = await api.get<User>('/api/v1/users/me');
  check('NSFW policy and autoplay stored', me.nsfwPolicy === 'blur' && me.autoPlayVideo === false);

  await page.setInputFiles('#avatar-file', c.files.png);
  check('avatar uploaded', await alertText(page, '.alert', /Avatar updated/));
  check('avatar stored in three sizes', (await api.get<User>('/api/v1/users/me')).account.avatars.length === 3);
  await page.setInputFiles('#avatar-file', c.files.bigPng);
  check('a too large avatar is refused with the limit', await alertText(page, '.alert-error', /limit is 4(\.0)? MB/));

  await page.fill('#current-password', 'not-my-password');
  await page.fill('#new-password', 'password2');
  await page.fill('#confirm-password', 'password2');
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me') && r.request().method() === 'PUT');
  await page.click('button:has-text("Change password")');
  const status = (await refused).status();
  check('wrong current password: 401 and a message', status === 401 && (await alertText(page, '.alert-error', /currentPassword is invalid|password/i)));
  check('wrong current password: the old one still works', await ok(c.stack.server.login('erin', 'password1')));
  await page.fill('#current-password', 'password1');
  await page.fill('#new-password', 'password2');
  await page.fill('#confirm-password', 'password2');
  await page.click('button:has-text("Change password")');
  check('password changed', await alertText(page, '.alert-success', /Password changed/));
  check('the new password logs in', await ok(c.stack.server.login('erin', 'password2')));
}

/** Create (and a taken name), edit with a banner, someone else's channel, move a video. */
async function channels(c: Ctx, erin: Viewer): Promise<void> {
  const { page } = erin;
  if (!page.url().includes('/my-account')) await uiLogin(erin, c.base, 'erin', 'password2');
  await page.goto(`${c.base}/my-library/video-channels`);
  check('my channels lists the default channel', await visible(page, 'text=erin_channel@'));
  await page.click('text=Create a channel');
  await page.fill('#channel-name', 'erin_music');
  await page.fill('#channel-display-name', 'Erin Music');
  await page.fill('#channel-description', '**Songs** by erin');
  await page.click('button[type=submit]:has-text("Create")');
  check('channel created and listed', await visible(page, '.channel-name:has-text("Erin Music")'));

  await page.goto(`${c.base}/my-library/video-channels/create`);
  await page.fill('#channel-name', 'erin_music');
  await page.fill('#channel-display-name', 'Again');
  const dup = page.waitForResponse((r) => r.url().endsWith('/api/v1/video-channels') && r.request().method() === 'POST');
  await page.click('button[type=submit]:has-text("Create")');
  check('a taken channel name: 409 and a message', (await dup).status() === 409 && (await alertText(page, '.alert-error', /already taken/)));

  await page.goto(`${c.base}/my-library/video-channels/update/erin_music`);
  await page.waitForSelector('#channel-banner', { state: 'attached' });
  await page.setInputFiles('#channel-banner', c.files.png);
  check('banner uploaded', await alertText(page, '.alert', /Banner updated/));
  await page.setInputFiles('#channel-banner', c.files.bigPng);
  check('a too large banner is refused with the limit', await alertText(page, '.alert-error', /limit is 4(\.0)? MB/));
  await page.fill('#channel-display-name', 'Erin Music 2');
  await page.click('button:has-text("Save changes")');
  await page.waitForURL(/\/my-library\/video-channels$/);
  check('channel display name changed', (await c.stack.server.api.get<VideoChannel>('/api/v1/video-channels/erin_music')).displayName === 'Erin Music 2');

  await page.goto(`${c.base}/c/erin_music`);
  check('channel page shows the banner', await visible(page, '.banner'));
  await page.click('[role=tab]:has-text("About")');
  check('channel about tab renders the markdown description', await visible(page, '#panel-about .markdown strong:has-text("Songs")'));

  const rootChannel = c.root.videoChannels[0].name;
  await page.goto(`${c.base}/my-library/video-channels/update/${rootChannel}`);
  await page.waitForSelector('#channel-display-name');
  await page.fill('#channel-display-name', 'Mine now');
  const forbidden = page.waitForResponse((r) => r.url().endsWith(`/api/v1/video-channels/${rootChannel}`) && r.request().method() === 'PUT');
  await page.click('button:has-text("Save changes")');
  check("someone else's channel: 403 and a message", (await forbidden).status() === 403 && (await alertText(page, '.alert-error', /not the owner/)));

  const music = await c.stack.server.api.get<VideoChannel>('/api/v1/video-channels/erin_music');
  await page.goto(`${c.base}/my-library/videos/${c.erinVideoUuid}/edit`);
  await page.waitForSelector('#edit-channel option >> nth=1', { state: 'attached' });
  await page.selectOption('#edit-channel', String(music.id));
  await page.click('button:has-text("Save changes")');
  await page.waitForURL(/\/my-library\/videos$/);
  const moved = await (await c.stack.server.login('erin', 'password2')).get<VideoDetails>(`/api/v1/videos/${c.erinVideoUuid}`);
  check('the edit page moved the video to my other channel', moved.channel.name === 'erin_music');
}

/** Deleting a channel that holds a video needs its name typed; then the account itself. */
async function deletions(c: Ctx, erin: Viewer): Promise<void> {
  const { page } = erin;
  await page.goto(`${c.base}/my-library/video-channels`);
  await page.click('button[aria-label="Delete Erin Music 2"]');
  await page.waitForSelector('dialog[open] #confirm-channel');
  const submit = 'dialog[open] button[type=submit]';
  check('delete is disabled until the name is typed', await page.isDisabled(submit));
  await page.fill('#confirm-channel', 'erin_mus');
  check('a wrong name keeps it disabled', await page.isDisabled(submit));
  await page.fill('#confirm-channel', 'erin_music');
  await page.click(submit);
  await page.waitForSelector('dialog[open]', { state: 'detached', timeout: 10_000 }).catch(() => undefined);
  const gone = await c.stack.server.api.get('/api/v1/video-channels/erin_music').then(() => false, (e: { status?: number }) => e.status === 404);
  const videoGone = await c.admin.get(`/api/v1/videos/${c.erinVideoUuid}`).then(() => false, (e: { status?: number }) => e.status === 404);
  check('channel deleted with its video', gone && videoGone);

  await page.goto(`${c.base}/my-account/settings`);
  await page.waitForSelector('#delete-confirm');
  check('delete account disabled before typing the username', await page.isDisabled('button:has-text("Delete my account")'));
  await page.fill('#delete-confirm', 'erin');
  await page.click('button:has-text("Delete my account")');
  const home = await ok(page.waitForURL((u) => u.pathname === '/', { timeout: 10_000 }));
  const accountGone = await c.stack.server.api.get('/api/v1/accounts/erin').then(() => false, (e: { status?: number }) => e.status === 404);
  const loggedOut = await page.evaluate(() => !localStorage.getItem('flotilla.session'));
  check('account deleted, logged out, back home', home && accountGone && loggedOut);
}

/** Browse pages and search with filters, as a visitor. */
async function browse(c: Ctx, visitor: Viewer): Promise<void> {
  const { page } = visitor;
  for (const [path, name] of [['/videos/trending', 'trending'], ['/videos/recently-added', 'recently added'], ['/videos/local', 'local']]) {
    await page.goto(c.base + path);
    check(`${name} page lists the video`, await visible(page, `main :text("${VIDEO_NAME}")`));
  }
  await page.goto(`${c.base}/videos/overview`);
  check('overview groups the video under its category', await visible(page, 'main h2:has-text("Science & Technology")'));
  check('overview groups the video under its channel', await visible(page, `main h2:has-text("${c.root.videoChannels[0].displayName}")`));

  await page.fill('#site-search', 'watch page');
  await page.press('#site-search', 'Enter');
  await page.waitForURL(/\/search\?search=watch/);
  check('search finds the video', await visible(page, `main :text("${VIDEO_NAME}")`));
  await page.reload();
  check('the header box keeps the query after a reload', (await page.inputValue('#site-search')) === 'watch page');
  const count = () => page.waitForSelector('.result-count').then((e) => e.textContent());
  await page.click('button:has-text("Filters")');
  await page.selectOption('#f-duration', 'long');
  await page.click('button:has-text("Apply filters")');
  await page.waitForURL(/durationRange=long/);
  await page.waitForFunction(() => /\b0 video/.test(document.querySelector('.result-count')?.textContent ?? ''), null, { timeout: 10_000 }).catch(() => undefined);
  check('duration filter: a long-video search finds nothing', /\b0 video/.test((await count()) ?? ''));
  await page.selectOption('#f-duration', 'short');
  await page.selectOption('#f-category', '15');
  await page.click('button:has-text("Apply filters")');
  await page.waitForURL(/categoryOneOf=15/);
  await page.waitForFunction(() => /\b1 video/.test(document.querySelector('.result-count')?.textContent ?? ''), null, { timeout: 10_000 }).catch(() => undefined);
  check('short + Science & Technology finds the video', /\b1 video/.test((await count()) ?? '') && (await visible(page, `main :text("${VIDEO_NAME}")`)));
  await page.selectOption('#f-category', '1');
  await page.click('button:has-text("Apply filters")');
  await page.waitForURL(/categoryOneOf=1(&|$)/);
  await page.waitForFunction(() => /\b0 video/.test(document.querySelector('.result-count')?.textContent ?? ''), null, { timeout: 10_000 }).catch(() => undefined);
  check('another category finds nothing', /\b0 video/.test((await count()) ?? ''));
  check('the header box still holds the query', (await page.inputValue('#site-search')) === 'watch page');
  await page.goto(`${c.base}/search?search=erin&resultType=channels`);
  check('channel search lists my channel', await visible(page, '.channel-result :text("erin_channel@")'));
}

/** Quality label against videoHeight, speed, theater, help, share, download, markdown, counts. */
async function watch(c: Ctx, visitor: Viewer, owner: Viewer): Promise<void> {
  const { page } = visitor;
  const path = `/w/${c.video.shortUUID}`;
  await page.goto(c.base + path);
  await page.waitForFunction(() => !!(window as unknown as { flotillaPlayer?: unknown }).flotillaPlayer, null, { timeout: 20_000 });
  await page.waitForFunction(() => (document.querySelector('video')?.videoHeight ?? 0) > 0, null, { timeout: 20_000 }).catch(() => undefined);
  const sample = () => page.evaluate(() => ({ label: document.querySelector('.quality-label')?.textContent?.trim() ?? '', h: document.querySelector('video')?.videoHeight ?? 0 }));
  const samples: Array<{ label: string; h: number }> = [];
  for (let i = 0; i < 12; i++) {
    samples.push(await sample());
    await sleep(250);
  }
  result.notes.push(`auto samples: ${[...new Set(samples.map((s) => `${s.label}@${s.h}`))].join(', ')}`);
  check('auto: the quality label names the playing height every time', samples.some((s) => s.h > 0) && samples.every((s) => !s.h || s.label === `Auto (${s.h}p)`));
  await page.click('button.quality-btn');
  await page.click('[role=menuitemradio]:has-text("240p")');
  await page.waitForFunction(() => document.querySelector('video')?.videoHeight === 240, null, { timeout: 15_000 }).catch(() => undefined);
  const manual = await sample();
  check('240p chosen: the label says 240p and the picture is 240 high', manual.h === 240 && manual.label === '240p');

  await page.click('button.speed-btn');
  await page.click('[role=menuitemradio]:has-text("1.5×")');
  const rate = () => page.evaluate(() => document.querySelector('video')!.playbackRate);
  check('speed menu sets 1.5×', (await rate()) === 1.5);
  await page.keyboard.press('>');
  check('> speeds up to 1.75×', (await rate()) === 1.75);
  await page.keyboard.press('<');
  await page.click('button.p2p-btn');
  const panel = await page.evaluate(() => {
    const p = document.querySelector('[role=dialog][aria-label=Peer-to-peer]');
    return p ? { text: p.textContent ?? '', inPopup: p.classList.contains('popup'), shown: getComputedStyle(p).position === 'absolute' } : null;
  });
  check('P2P panel: the switch and the byte counts, as a popup', !!panel && panel.inPopup && panel.shown && panel.text.includes('Share with other viewers') && panel.text.includes('From server'));
  await page.keyboard.press('Escape');
  check('P2P panel: Escape closes it', await ok(page.waitForSelector('[role=dialog][aria-label=Peer-to-peer]', { state: 'detached', timeout: 3000 })));
  await page.keyboard.press('t');
  check('t turns theater mode on', await visible(page, '.watch.theater .theater-btn[aria-pressed=true]', 3000));
  await page.keyboard.press('t');
  check('t turns it off again', await visible(page, '.watch:not(.theater)', 3000));
  await page.keyboard.press('?');
  check('? opens the shortcuts help', await visible(page, 'dialog[open] h2:has-text("Keyboard shortcuts")', 3000));
  await auditHere(page, 'watch: shortcuts help');
  await page.keyboard.press('Escape');
  check('Escape closes it', await ok(page.waitForSelector('dialog[open]', { state: 'detached', timeout: 3000 })));

  // The markdown description: formatting and links kept, HTML dropped.
  check('description: markdown rendered', await visible(page, '.desc-text strong:has-text("bold")', 3000));
  const desc = await page.evaluate(() => {
    const d = document.querySelector('.desc-text')!;
    const ext = d.querySelector('a[href="https://example.org"]');
    return {
      html: d.querySelectorAll('img, script').length,
      xss: (window as unknown as { __xss?: number }).__xss ?? 0,
      rel: ext?.getAttribute('rel') ?? '',
      tag: d.querySelector('a.hashtag')?.getAttribute('href') ?? '',
    };
  });
  check('description: raw HTML neither rendered nor run', desc.html === 0 && desc.xss === 0);
  check('description: external links open safely', desc.rel.includes('noopener'));
  check('description: hashtags search', desc.tag === '/search?search=%23flotilla');

  await page.click('button:has-text("Share")');
  await page.waitForSelector('dialog[open] #share-link');
  const link = await page.inputValue('#share-link');
  check('share: the watch link', link === `${c.base}/w/${c.video.shortUUID}`);
  await page.check('#share-start');
  const timed = await page.inputValue('#share-link');
  const embed = await page.inputValue('#share-embed');
  check('share: start time in the link and the embed code', /\?start=\d+s$/.test(timed) && embed.includes(`src="${c.base}/videos/embed/${c.video.uuid}?start=`) && embed.startsWith('<iframe'));
  const qr = await page.getAttribute('dialog[open] img.qr-img', 'src');
  // The page draws through a canvas, Node through pngjs: the same modules, compared pixel by pixel.
  const pixels = (dataUrl: string) => sharp(Buffer.from(dataUrl.split(',')[1], 'base64')).ensureAlpha().raw().toBuffer();
  const want = await pixels(await QRCode.toDataURL(timed, { margin: 1, width: 200, errorCorrectionLevel: 'M' }));
  check('share: QR code of the link', !!qr?.startsWith('data:image/png;base64,') && (await pixels(qr)).equals(want));
  await auditHere(page, 'watch: share dialog');
  await page.keyboard.press('Escape');

  await page.click('button:has-text("Download")');
  await page.waitForSelector('dialog[open] .file');
  const rows = await page.$$eval('dialog[open] .file a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  const expected = (c.video.streamingPlaylists[0]?.files.length ?? 0) + c.video.files.length;
  check('download: one link per rendition', rows.length === expected && expected >= 2);
  const got = await page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, cd: r.headers.get('content-disposition') ?? '', size: (await r.arrayBuffer()).byteLength };
  }, rows[0]);
  check('download: the file comes as an attachment', got.status === 200 && got.cd.startsWith('attachment') && got.size > 1000);
  await auditHere(page, 'watch: download dialog');
  await page.keyboard.press('Escape');

  await c.admin.request('PUT', `/api/v1/videos/${c.video.uuid}`, { json: { downloadEnabled: false } });
  await page.reload();
  await page.waitForSelector('h1.title');
  await sleep(300);
  check('downloads off: no Download button for a visitor', (await page.$('button:has-text("Download")')) === null);
  const refused = await page.evaluate(async (u) => (await fetch(u)).status, rows[0]);
  check('downloads off: the server refuses the visitor', refused === 403);

  const o = owner.page;
  await o.goto(c.base + path);
  await o.click('button:has-text("Download")');
  check('downloads off: the owner still gets them, told why', await visible(o, 'dialog[open] .alert-info:has-text("turned off")', 5000) && (await o.$$('dialog[open] .file a')).length === expected);
  check('the owner sees the original file', c.video.files.length === 1 && (await visible(o, 'dialog[open] .file:has-text("Original file")', 2000)));
  await o.keyboard.press('Escape');
  await o.click('button[aria-pressed]:has-text("0")');
  await until('like saved', async () => (await c.admin.get<VideoDetails>(`/api/v1/videos/${c.video.uuid}`)).likes === 1, 5000).catch(() => undefined);
  await o.reload();
  await o.waitForSelector('h1.title');
  const api = await c.admin.get<VideoDetails>(`/api/v1/videos/${c.video.uuid}`);
  const shown = await o.$$eval('.rate button', (bs) => bs.map((b) => b.textContent?.replace(/\D/g, '') ?? ''));
  check('likes and dislikes shown agree with the API', api.likes === 1 && shown[0] === String(api.likes) && shown[1] === String(api.dislikes));
}

/** Every new page, in the light and the dark theme, as the user they are for. */
async function accessibility(c: Ctx, erin: Viewer, visitor: Viewer): Promise<void> {
  for (const theme of ['light', 'dark']) {
    for (const v of [erin, visitor]) await v.page.evaluate((t) => localStorage.setItem('flotilla.theme', t), theme);
    const e = erin.page;
    const sfx = theme === 'dark' ? ' (dark)' : '';
    await openAndAudit(e, c.base, `my account settings${sfx}`, '/my-account/settings', '#display-name');
    await openAndAudit(e, c.base, `my channels${sfx}`, '/my-library/video-channels', '.channel-item');
    await e.click('button[aria-label="Delete Erin Music 2"]');
    await e.waitForSelector('dialog[open] #confirm-channel');
    await auditHere(e, `delete channel dialog${sfx}`);
    await e.keyboard.press('Escape');
    await openAndAudit(e, c.base, `create channel${sfx}`, '/my-library/video-channels/create', '#channel-name');
    await openAndAudit(e, c.base, `edit channel${sfx}`, '/my-library/video-channels/update/erin_music', '#channel-display-name');
    await openAndAudit(e, c.base, `channel page${sfx}`, '/c/erin_music', '[role=tab]');
    await e.click('[role=tab]:has-text("About")');
    await auditHere(e, `channel about${sfx}`);
    const p = visitor.page;
    for (const [label, path] of [['trending', '/videos/trending'], ['recently added', '/videos/recently-added'], ['local', '/videos/local'], ['overview', '/videos/overview']]) {
      await openAndAudit(p, c.base, `${label}${sfx}`, path, 'main .section, main .card, main a[href^="/w/"]');
    }
    await openAndAudit(p, c.base, `search with filters${sfx}`, '/search?search=watch&durationRange=short', '#filter-panel');
    await openAndAudit(p, c.base, `channel search${sfx}`, '/search?search=erin&resultType=channels', '.channel-result');
    await p.goto(`${c.base}/w/${c.video.shortUUID}`);
    await p.waitForFunction(() => !!(window as unknown as { flotillaPlayer?: unknown }).flotillaPlayer, null, { timeout: 20_000 });
    await p.click('button:has-text("Share")');
    await p.waitForSelector('dialog[open] img.qr-img');
    await auditHere(p, `watch share dialog${sfx}`);
    await p.keyboard.press('Escape');
  }
  for (const v of [erin, visitor]) await v.page.evaluate(() => localStorage.removeItem('flotilla.theme'));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-account-pages-'));
  let stack: Stack | null = null;
  try {
    const clip = makeClip(dir, 'watch.mp4', { seconds: 12, size: '640x360', keyframeSeconds: 2 });
    const small = makeClip(dir, 'small.mp4', { seconds: 2, size: '320x240' });
    const png = join(dir, 'avatar.png');
    await sharp({ create: { width: 400, height: 300, channels: 3, background: '#cc6633' } }).png().toFile(png);
    const bigPng = join(dir, 'big.png');
    writeFileSync(bigPng, Buffer.alloc(5 * 1024 * 1024, 7));
    stack = await startStack();
    const base = stack.server.url;
    const admin = await stack.server.login();
    const root = await admin.get<User>('/api/v1/users/me');
    const { video: up } = await uploadVideo(admin, clip, {
      name: VIDEO_NAME, channelId: String(root.videoChannels[0].id), description: DESCRIPTION, category: '15', privacy: '1', downloadEnabled: 'true',
    });
    await admin.request('POST', '/api/v1/users', { json: { username: 'erin', password: 'password1', email: 'erin@example.org', role: 2 } });
    const erinApi = await stack.server.login('erin', 'password1');
    const erinMe = await erinApi.get<User>('/api/v1/users/me');
    const { video: erinVideo } = await uploadVideo(erinApi, small, { name: 'erin clip', channelId: String(erinMe.videoChannels[0].id) });

    const erin = await viewer(stack, 'erin');
    const ctx: Ctx = { stack, base, admin, root, video: null as unknown as VideoDetails, erinVideoUuid: erinVideo.uuid, files: { png, bigPng } };
    await account(ctx, erin);
    await channels(ctx, erin);
    const visitor = await viewer(stack, 'visitor');
    await until('both renditions', async () => {
      const d = await admin.get<VideoDetails>(`/api/v1/videos/${up.uuid}`);
      return d.state.id === 1 && d.streamingPlaylists[0]?.files.length === 2;
    }, 90_000, 1000);
    ctx.video = await admin.get<VideoDetails>(`/api/v1/videos/${up.uuid}`);
    await browse(ctx, visitor);
    await accessibility(ctx, erin, visitor);
    const owner = await viewer(stack, 'owner');
    await uiLogin(owner, base, 'root', (await import('../../../server/test/helpers/test-server')).ROOT_PASSWORD);
    await watch(ctx, visitor, owner);
    await deletions(ctx, erin);
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
