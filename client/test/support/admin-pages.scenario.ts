/// <reference types="node" />
/**
 * The administration pages as the people who use them (issue 14), run by admin-pages.test.ts in a
 * loopback-only namespace: the real server with a real SMTP server (smtp-server) beside it, headless
 * Chromium for each person.
 *
 *   - visitors ask for an account on the sign-up page (approval required); the moderator's
 *     notification leads to the registrations page, where they accept one and reject the other;
 *     each requester gets a mail; the accepted one logs in;
 *   - a user is blocked by the moderator while logged in: their next page load sends them to log in;
 *   - the administrator hides another user's video on the videos page: visitors cannot open it;
 *   - the administrator renames the instance on the settings page: the header follows, no reload;
 *   - axe-core audits every new page, light and dark.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { User } from '@flotilla/shared';
import { freePort, ROOT_PASSWORD } from '../../../server/test/helpers/test-server';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import type { A11yViolation } from './web-app.scenario';
import { until, Viewer } from './viewers';

export interface AdminPagesResult {
  error: string | null;
  checks: Record<string, boolean>;
  a11y: Record<string, A11yViolation[]>;
  mails: { to: string[]; subject: string }[];
  pageErrors: string[];
  notes: string[];
}

const result: AdminPagesResult = { error: null, checks: {}, a11y: {}, mails: [], pageErrors: [], notes: [] };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const t0 = Date.now();
const mark = (what: string) => result.notes.push(`${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const viewers: Viewer[] = [];
const received: { to: string[]; raw: string }[] = [];

async function viewer(stack: Stack, name: string): Promise<Viewer> {
  const v = await Viewer.launch(name, stack.server.url);
  viewers.push(v);
  v.page.on('pageerror', (e) => result.pageErrors.push(`${name}: ${e.message}`));
  return v;
}

async function uiLogin(v: Viewer, base: string, username: string, password: string): Promise<void> {
  await v.page.goto(`${base}/login`);
  await v.page.fill('#username', username);
  await v.page.fill('#password', password);
  await v.page.click('form.auth-card button[type=submit]');
  await v.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
}

const seen = (v: Viewer, selector: string, timeout = 10_000) => v.page.waitForSelector(selector, { timeout }).then(() => true, () => false);

async function startSmtp(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: raw.replace(/=\r?\n/g, '') });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function requestAccount(stack: Stack, v: Viewer, username: string, reason: string): Promise<void> {
  await v.page.goto(`${stack.server.url}/signup`);
  await v.page.fill('#su-username', username);
  await v.page.fill('#su-email', `${username}@example.org`);
  await v.page.fill('#su-password', 'password1');
  await v.page.fill('#su-reason', reason);
  await v.page.click('button:has-text("Send my request")');
  check(`${username}: the sign-up page says the request was sent`, await seen(v, 'text=Your request was sent'));
}

async function moderate(v: Viewer, username: string, accept: boolean, text: string): Promise<void> {
  await v.page.click(`tr[data-username="${username}"] button:has-text("${accept ? 'Accept' : 'Reject'}")`);
  await v.page.fill('#moderation-response', text);
  await v.page.click('form[role=dialog] button[type=submit]');
  await v.page.waitForSelector(`tr[data-username="${username}"] .badge:has-text("${accept ? 'Accepted' : 'Rejected'}")`, { timeout: 10_000 });
}

async function registrations(stack: Stack, visitor: Viewer, mod: Viewer): Promise<void> {
  const base = stack.server.url;
  await requestAccount(stack, visitor, 'wren', 'I film birds at dawn');
  await visitor.page.evaluate(() => localStorage.clear());
  await requestAccount(stack, visitor, 'spammer', 'cheap watches');
  // The moderator was told (NEW_USER_REGISTRATION_REQUEST): the notification leads to the registrations page.
  const told = 'a[href="/admin/registrations"]:has-text("spammer wants to register")';
  check('moderator notified of the request', await until('the request notification', async () => {
    await mod.page.goto(`${base}/my-account/notifications`);
    return seen(mod, told, 2000);
  }, 20_000).then(() => true, () => false));
  const followed = result.checks['moderator notified of the request'] && (await mod.page.click(told, { timeout: 5000 }).then(() => true, () => false));
  check('the request notification leads to the registrations page', followed && (await mod.page.waitForURL((u) => u.pathname === '/admin/registrations', { timeout: 10_000 }).then(() => true, () => false)));
  if (!followed) await mod.page.goto(`${base}/admin/registrations`);
  await mod.page.waitForSelector('tr[data-username="spammer"]', { timeout: 10_000 });
  await moderate(mod, 'wren', true, 'Welcome, bird lover');
  await moderate(mod, 'spammer', false, 'Looks like spam');
  check('registrations page: one accepted, one rejected', true);
  await until('both requesters to get a mail', async () => received.some((m) => m.to.includes('wren@example.org')) && received.some((m) => m.to.includes('spammer@example.org')), 15_000);
  check('accepted requester told by mail, with the message', received.some((m) => m.to.includes('wren@example.org') && /accepted/.test(m.raw) && m.raw.includes('Welcome, bird lover')));
  check('rejected requester told by mail, with the reason', received.some((m) => m.to.includes('spammer@example.org') && /rejected/.test(m.raw) && m.raw.includes('Looks like spam')));
  await uiLogin(visitor, base, 'wren', 'password1');
  check('the accepted requester logs in', (await visitor.page.evaluate(() => !!localStorage.getItem('flotilla.session'))) === true);
  await visitor.page.evaluate(() => localStorage.clear());
}

async function blockWhileLoggedIn(stack: Stack, alice: Viewer, mod: Viewer): Promise<void> {
  const base = stack.server.url;
  await uiLogin(alice, base, 'alice', 'password1');
  await alice.page.goto(`${base}/my-library/videos`);
  check('alice sees her videos before the block', await seen(alice, 'h1:has-text("My videos")'));
  check('my videos tells the owner why transcoding waits', ((await alice.page.waitForSelector('.transcoding-stalled', { timeout: 10_000 }).then((e) => e.textContent(), () => '')) ?? '').includes('no runner is connected'));
  const token = await alice.page.evaluate(() => JSON.parse(localStorage.getItem('flotilla.session') ?? '{}').accessToken as string);
  await mod.page.goto(`${base}/admin/users`);
  await mod.page.click('tr[data-username="alice"] button:has-text("Block")');
  await mod.page.fill('#block-reason', 'posting spam links');
  await mod.page.click('form[role=dialog] button[type=submit]');
  check('users page shows alice blocked with the reason', await seen(mod, 'tr[data-username="alice"] .badge:has-text("Blocked")'));
  check('users page shows the reason', ((await mod.page.textContent('tr[data-username="alice"]')) ?? '').includes('posting spam links'));
  // Alice's tab is still open with her tokens: the next page she opens sends her to log in.
  await alice.page.goto(`${base}/my-library/videos`);
  check('blocked user is sent to log in at the next page', await alice.page.waitForURL(/\/login/, { timeout: 15_000 }).then(() => true, () => false));
  const me = await fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
  check('blocked user holds no working session', !!token && me.status === 401);
  await alice.page.fill('#username', 'alice');
  await alice.page.fill('#password', 'password1');
  await alice.page.click('form.auth-card button[type=submit]');
  check('blocked user cannot log in again', await seen(alice, '[role=alert]'));
  // Unblocked, she can.
  await mod.page.click('tr[data-username="alice"] button:has-text("Unblock")');
  check('users page shows alice active again', await seen(mod, 'tr[data-username="alice"] .badge:has-text("Active")'));
}

async function hideVideo(stack: Stack, root: Viewer, visitor: Viewer, video: { uuid: string; shortUUID: string }): Promise<void> {
  const base = stack.server.url;
  await visitor.page.goto(`${base}/w/${video.shortUUID}`);
  check('visitor can open alice’s video before', await seen(visitor, 'h1:has-text("alice films")'));
  await root.page.goto(`${base}/admin/runners`);
  check('runners page says why jobs wait', ((await root.page.waitForSelector('.transcoding-stalled', { timeout: 10_000 }).then((e) => e.textContent(), () => '')) ?? '').includes('no runner is connected'));
  await root.page.goto(`${base}/admin/videos`);
  await root.page.click(`tr[data-video="${video.uuid}"] button:has-text("Hide")`);
  await root.page.fill('#hide-reason', 'copyright claim');
  await root.page.click('form[role=dialog] button[type=submit]');
  check('videos page marks it hidden', await seen(root, `tr[data-video="${video.uuid}"] .badge:has-text("Hidden")`));
  await visitor.page.goto(`${base}/w/${video.shortUUID}`);
  check('visitor cannot open the hidden video', await seen(visitor, 'text=This video is not available'));
  const listed = await stack.server.api.get<{ data: { uuid: string }[] }>('/api/v1/videos', { count: 100 });
  check('hidden video left the public list', !listed.data.some((v) => v.uuid === video.uuid));
  await until('the owner to get a mail', async () => received.some((m) => m.to.includes('alice@example.org') && m.raw.includes('copyright claim')), 15_000).then(
    () => check('owner told by mail, with the reason', true),
    () => check('owner told by mail, with the reason', false),
  );
}

async function renameInstance(stack: Stack, root: Viewer): Promise<void> {
  await root.page.goto(`${stack.server.url}/admin/settings`);
  await root.page.waitForSelector('#cfg-name', { timeout: 10_000 });
  const before = (await root.page.textContent('.brand-name'))?.trim();
  await root.page.fill('#cfg-name', 'Birdwatch');
  await root.page.click('button:has-text("Save")');
  check('settings saved', await seen(root, 'text=Settings saved and applied.'));
  check('header shows the new name without a reload', await root.page.waitForFunction(() => document.querySelector('.brand-name')?.textContent?.trim() === 'Birdwatch', null, { timeout: 10_000 }).then(() => true, () => false));
  result.notes.push(`header before: ${before}`);
  const bad = await root.page.evaluate(async () => {
    const t = JSON.parse(localStorage.getItem('flotilla.session')!).accessToken as string;
    const r = await fetch('/api/v1/config/custom', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ instance: { name: 'Half' }, signup: { limit: 'many' } }) });
    return r.status;
  });
  check('a bad value is refused (400)', bad === 400);
  await root.page.reload();
  check('the name is kept after a reload', await root.page.waitForFunction(() => document.querySelector('.brand-name')?.textContent?.trim() === 'Birdwatch', null, { timeout: 10_000 }).then(() => true, () => false));
}

async function createUserThroughUi(stack: Stack, root: Viewer): Promise<void> {
  await root.page.goto(`${stack.server.url}/admin/users`);
  await root.page.click('button:has-text("Create a user")');
  await root.page.fill('#nu-username', 'newbie');
  await root.page.fill('#nu-email', 'newbie@example.org');
  await root.page.fill('#nu-password', 'password1');
  await root.page.selectOption('#nu-role', '1');
  await root.page.click('form[aria-labelledby=create-title] button[type=submit]');
  check('users page: the administrator creates a moderator', await seen(root, 'tr[data-username="newbie"]:has-text("Moderator")'));
  await root.page.fill('#user-search', 'newb');
  await root.page.press('#user-search', 'Enter');
  check('users page: search narrows the list', await root.page.waitForFunction(() => document.querySelectorAll('tbody tr[data-username]').length === 1, null, { timeout: 10_000 }).then(() => true, () => false));
}

/** The federation page's block list: a host added, listed, a bad host refused, then removed. */
async function blockInstance(stack: Stack, root: Viewer): Promise<void> {
  await root.page.goto(`${stack.server.url}/admin/federation`);
  await root.page.fill('#block-input', 'spam.example.org');
  await root.page.click('form:has(#block-input) button[type=submit]');
  check('federation page: a blocked host is listed', await seen(root, 'section[aria-labelledby=blocks-title] td:has-text("spam.example.org")'));
  await root.page.reload();
  check('federation page: the block is stored', await seen(root, 'section[aria-labelledby=blocks-title] td:has-text("spam.example.org")'));
  await root.page.fill('#block-input', 'not a host!');
  await root.page.click('form:has(#block-input) button[type=submit]');
  check('federation page: a bad host is refused with a message', await seen(root, '.alert-error'));
  await root.page.click('button[aria-label="Unblock spam.example.org"]');
  check('federation page: the host unblocked', await seen(root, 'text=No instance is blocked.'));
}

async function aboutPage(stack: Stack, visitor: Viewer): Promise<void> {
  await visitor.page.goto(`${stack.server.url}/about/instance`);
  check('about page: the instance name', await seen(visitor, 'h1:has-text("Birdwatch")'));
  await visitor.page.waitForSelector('dl.figures', { timeout: 10_000 }).catch(() => undefined);
  const text = (await visitor.page.textContent('main')) ?? '';
  result.notes.push(`about: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
  check('about page: rules, languages, categories and figures', text.includes('Be kind to birds.') && text.includes('French') && text.includes('Science & Technology') && /users\s*\d+/.test(text));

  // PeerTube's contact form: the visitor writes, the administrators get the mail with a Reply-To.
  await visitor.page.click('button:has-text("Contact the administrators")');
  await visitor.page.fill('#contact-name', 'Robin');
  await visitor.page.fill('#contact-email', 'robin@example.org');
  await visitor.page.fill('#contact-subject', 'A question');
  await visitor.page.fill('#contact-body', 'Can I upload owl videos here?');
  await visitor.page.click('form[role=dialog] button[type=submit]');
  check('about page: the contact form is sent', await seen(visitor, '[role=status]:has-text("sent to the administrators")'));
  const mailed = await until('the contact mail', async () => received.find((m) => m.raw.includes('Can I upload owl videos here?')) ?? null, 15_000).catch(() => null);
  check('contact mail reaches the administrators with the visitor as Reply-To', !!mailed && /^Reply-To: robin@example\.org\r?$/im.test(mailed.raw));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function audit(v: Viewer, base: string, label: string, path: string): Promise<void> {
  await v.page.goto(base + path);
  await v.page.waitForLoadState('networkidle', { timeout: 15_000 });
  const text = await v.page.evaluate(() => document.querySelector('main')?.textContent?.trim().length ?? 0);
  if (!text) throw new Error(`${label} (${path}): the page rendered nothing in <main>`);
  await v.page.addScriptTag({ content: AXE_SOURCE });
  result.a11y[label] = await v.page.evaluate(async () => {
    type Axe = { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> };
    const axe = (window as unknown as { axe: Axe }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

async function accessibility(stack: Stack, root: Viewer, visitor: Viewer): Promise<void> {
  const base = stack.server.url;
  await root.page.goto(`${base}/admin/jobs`);
  check('jobs page: a count for each state, from the queue registry', await root.page.waitForFunction(() => {
    const counts = [...document.querySelectorAll('.count[data-state]')].map((e) => e.textContent?.trim() ?? '');
    return counts.length === 5 && counts.every((c) => /^\d+$/.test(c));
  }, null, { timeout: 10_000 }).then(() => true, () => false));
  const pages = [['admin users', '/admin/users'], ['admin jobs', '/admin/jobs'], ['admin registrations', '/admin/registrations'], ['admin videos', '/admin/videos'], ['admin settings', '/admin/settings'], ['admin runners', '/admin/runners'], ['about', '/about/instance']];
  for (const theme of ['light', 'dark']) {
    for (const v of [root, visitor]) await v.page.evaluate((t) => localStorage.setItem('flotilla.theme', t), theme);
    for (const [label, path] of pages) await audit(root, base, `${label} (${theme})`, path);
    await audit(visitor, base, `sign-up request (${theme})`, '/signup');
    await audit(visitor, base, `about, visitor (${theme})`, '/about/instance');
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-admin-pages-'));
  const smtp = await startSmtp();
  let stack: Stack | null = null;
  try {
    stack = await startStack({
      signup: { enabled: true, requires_approval: true },
      rates_limit: { api: { max: 100_000 }, login: { max: 500 }, signup: { max: 100 } },
      smtp: { hostname: '127.0.0.1', port: smtp.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org' },
      instance: { languages: ['en', 'fr'], categories: [15], code_of_conduct: 'Be kind to birds.' },
      // No runner: the video is watchable untranscoded (waitTranscoding false), no ffmpeg competes
      // with the browsers, and the runners page has a reason to show why jobs wait.
      runners: { embedded: { enabled: false } },
    });
    const api = await stack.server.login();
    for (const [username, role] of [['moddy', 1], ['alice', 2]] as const) {
      await api.request('POST', '/api/v1/users', { json: { username, password: 'password1', email: `${username}@example.org`, role } });
    }
    const alice = await stack.server.login('alice', 'password1');
    const channelId = (await alice.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await uploadVideo(alice, makeClip(dir, 'alice.mp4', { seconds: 3, size: '320x240' }), { name: 'alice films', channelId: String(channelId), waitTranscoding: 'false' });

    const visitor = await viewer(stack, 'visitor');
    const mod = await viewer(stack, 'moderator');
    await uiLogin(mod, stack.server.url, 'moddy', 'password1');
    mark('set up');
    await registrations(stack, visitor, mod);
    mark('registrations');
    const aliceView = await viewer(stack, 'alice');
    await blockWhileLoggedIn(stack, aliceView, mod);
    mark('block');
    await aliceView.close();
    await mod.close();
    const root = await viewer(stack, 'root');
    await uiLogin(root, stack.server.url, 'root', ROOT_PASSWORD);
    await hideVideo(stack, root, visitor, video);
    mark('hide');
    await renameInstance(stack, root);
    await createUserThroughUi(stack, root);
    await blockInstance(stack, root);
    await aboutPage(stack, visitor);
    mark('rename, create, about');
    await accessibility(stack, root, visitor);
    mark('accessibility');
    result.mails = received.map((m) => ({ to: m.to, subject: /^Subject: (.*)$/m.exec(m.raw)?.[1] ?? '' }));
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    for (const v of viewers.splice(0)) await v.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
