/// <reference types="node" />
/**
 * Comments and ratings on the watch page (issue 13), in headless Chromium against the real server
 * (run by comments.test.ts in a loopback-only namespace): a user comments, replies, deletes her
 * reply and likes the video; the owner approves a held comment; a visitor pages through threads
 * and sorts them; known XSS payloads — posted as comments, sent as a signed remote Note, and written
 * straight into the table as a hostile instance's stored HTML — render inert. axe-core audits the
 * watch page with its comments, light and dark.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Page } from 'playwright-core';
import type { User, VideoCommentThreads, VideoCommentThreadTree } from '@flotilla/shared';
import { addCommentReply, addCommentThread, listCommentThreads } from '../../src/api/comments';
import type { ApiClient } from '../../src/api/http';
import { FakeActorServer, signPost } from '../../../server/test/helpers/fake-actor';
import { ROOT_PASSWORD } from '../../../server/test/helpers/test-server';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { PG_SOCKET_DIR, startStack, type Stack } from './stack';
import { until, Viewer } from './viewers';

export interface CommentsResult {
  error: string | null;
  checks: Record<string, boolean>;
  a11y: Record<string, Array<{ id: string; impact: string | null; help: string; nodes: string[] }>>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: CommentsResult = { error: null, checks: {}, a11y: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const viewers: Viewer[] = [];
const ok = (p: Promise<unknown>) => p.then(() => true, () => false);
const visible = (page: Page, sel: string, timeout = 10_000) => ok(page.waitForSelector(sel, { timeout }));

/** Each one sets window.__xss (or opens a dialog) if any part of it runs. */
export const XSS_PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '[click me](javascript:window.__xss=\'md-link\')',
  '<a href="javascript:window.__xss=\'a-href\'">html link</a>',
  '<a href=" &#14; javascript:alert(1)">spaced</a>',
  '<svg onload="window.__xss = \'svg\'"><circle r="4"/></svg>',
  '<iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '<details open ontoggle="window.__xss=\'details\'"><summary>x</summary></details>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=\'mxss\'">',
  '<body onload="window.__xss=\'body\'">',
  '<div style="background:url(javascript:alert(1))" onmouseover="window.__xss=\'div\'">hover</div>',
];

async function viewer(stack: Stack, name: string): Promise<Viewer> {
  const v = await Viewer.launch(name, stack.server.url);
  viewers.push(v);
  v.page.on('pageerror', (e) => result.pageErrors.push(`${name}: ${e.message}`));
  // A confirm is the delete button's; any other dialog is a payload that ran.
  v.page.on('dialog', (d) => {
    if (d.type() === 'confirm') void d.accept();
    else {
      result.notes.push(`${name}: unexpected ${d.type()} dialog: ${d.message()}`);
      void d.dismiss();
    }
  });
  return v;
}

async function uiLogin(v: Viewer, base: string, username: string, password: string): Promise<boolean> {
  await v.page.goto(`${base}/login`);
  await v.page.fill('#username', username);
  await v.page.fill('#password', password);
  await v.page.click('form.auth-card button[type=submit]');
  return ok(v.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 }));
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function auditHere(page: Page, label: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  result.a11y[label] = await page.evaluate(async () => {
    type Axe = { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> };
    const r = await (window as unknown as { axe: Axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

const articles = (page: Page) => page.$$eval('.comments .list > article.comment', (as) => as.map((a) => a.getAttribute('data-comment-id')));

interface Ctx {
  stack: Stack;
  base: string;
  alice: ApiClient;
  bob: ApiClient;
  video: { id: number; uuid: string };
  held: { id: number; uuid: string };
}

/** Bob comments, replies, deletes his reply and likes the video through the page. */
async function write(c: Ctx, bob: Viewer): Promise<void> {
  const p = bob.page;
  await p.goto(`${c.base}/w/${c.video.uuid}`);
  check('the comments section shows no comment yet', await visible(p, '.comments h2:has-text("0 comments")') && (await visible(p, 'text=No comments yet.')));
  await p.fill('#new-comment', 'Great **video**, #flotilla');
  await p.click('.comments form.new button[type=submit]');
  check('the comment appears at the top', await visible(p, '.comments article.comment strong:has-text("video")'));
  const page1 = await listCommentThreads(c.alice, c.video.uuid);
  const mine = page1.data[0];
  check('the comment is stored as written', page1.total === 1 && mine?.text === 'Great **video**, #flotilla' && mine.account?.name === 'bob');
  check('the count says 1 comment', await visible(p, '.comments h2:has-text("1 comment")'));
  check('a hashtag links to the search', await visible(p, '.comments a.hashtag[href="/search?search=%23flotilla"]'));

  await p.click(`article[data-comment-id="${mine.id}"] button:has-text("Reply")`);
  await p.fill(`#reply-${mine.id}`, 'And a reply to myself');
  await p.click(`article[data-comment-id="${mine.id}"] form.reply-form button[type=submit]`);
  check('the reply appears under its thread', await visible(p, `article[data-comment-id="${mine.id}"] .children article.comment:has-text("And a reply to myself")`));
  const tree: VideoCommentThreadTree = await c.bob.get(`/api/v1/videos/${c.video.uuid}/comment-threads/${mine.id}`);
  const reply = tree.children[0]?.comment;
  check('the reply is stored in the thread', reply?.text === 'And a reply to myself' && reply.inReplyToCommentId === mine.id);

  await p.click(`article[data-comment-id="${reply.id}"] button:has-text("Delete")`);
  check('the deleted reply leaves the thread', await ok(until('reply gone', async () => {
    const t: VideoCommentThreadTree = await c.bob.get(`/api/v1/videos/${c.video.uuid}/comment-threads/${mine.id}`);
    return t.children[0]?.comment.isDeleted;
  }, 10_000)));

  const like = p.locator('.rate button').first();
  await like.click();
  check('like: the button is pressed', await ok(p.waitForSelector('.rate button[aria-pressed="true"]', { timeout: 5000 })));
  await until('like stored', async () => (await c.bob.get<{ rating: string }>(`/api/v1/users/me/videos/${c.video.id}/rating`)).rating === 'like', 5000).catch(() => undefined);
  check('like: stored as the viewer rating', (await c.bob.get<{ rating: string }>(`/api/v1/users/me/videos/${c.video.id}/rating`)).rating === 'like');
  await p.reload();
  check('like: the page reflects the rating after a reload', await ok(p.waitForSelector('.rate button[aria-pressed="true"] >> text=1', { timeout: 10_000 })));
}

/** The owner sees a held comment with its badge and approves it; a visitor does not see it before. */
async function approve(c: Ctx, alice: Viewer, visitor: Viewer): Promise<void> {
  const held = await addCommentThread(c.bob, c.held.uuid, 'Waiting for approval');
  check('policy 3: the comment is held', held.heldForReview);
  await visitor.page.goto(`${c.base}/w/${c.held.uuid}`);
  check('a visitor does not see the held comment', (await visible(visitor.page, 'text=No comments yet.')) && !(await visible(visitor.page, 'text=Waiting for approval', 1000)));
  const p = alice.page;
  await p.goto(`${c.base}/w/${c.held.uuid}`);
  check('the owner sees the held badge', await visible(p, `article[data-comment-id="${held.id}"] [data-held]`));
  await auditHere(p, 'watch page, owner with a held comment');
  await p.click(`article[data-comment-id="${held.id}"] button:has-text("Approve")`);
  check('approved: the badge goes', await ok(p.waitForSelector(`article[data-comment-id="${held.id}"] [data-held]`, { state: 'detached', timeout: 10_000 })));
  const list = await listCommentThreads(c.alice, c.held.uuid);
  check('approved: stored as not held', list.data.find((x) => x.id === held.id)?.heldForReview === false);
}

/** 25 more threads: the visitor sees 20, loads the rest; "Most replies" puts the replied thread first. */
async function paging(c: Ctx, visitor: Viewer): Promise<void> {
  for (let i = 0; i < 25; i++) await addCommentThread(c.alice, c.video.uuid, `Filler comment ${i}`);
  const replied = (await listCommentThreads(c.alice, c.video.uuid, { count: 100 })).data.find((x) => x.text === 'Filler comment 3')!;
  await addCommentReply(c.bob, c.video.uuid, replied.id, 'first reply');
  await addCommentReply(c.bob, c.video.uuid, replied.id, 'second reply');
  const p = visitor.page;
  await p.goto(`${c.base}/w/${c.video.uuid}`);
  await p.waitForSelector('.comments .list article.comment');
  check('a first page of 20 threads', (await articles(p)).length === 20);
  check('the count includes replies', await visible(p, '.comments h2:has-text("28 comments")'));
  await p.click('button:has-text("Load more comments")');
  check('load more: every thread', await ok(until('26 threads', async () => (await articles(p)).length === 26, 10_000)));
  check('load more: the button goes', !(await visible(p, 'button:has-text("Load more comments")', 500)));
  await p.selectOption('.comments select', '-totalReplies');
  check('most replies first', await ok(until('sorted', async () => (await articles(p))[0] === String(replied.id), 10_000)));
  await p.click(`article[data-comment-id="${replied.id}"] button:has-text("View 2 replies")`);
  check('view replies opens the thread', await visible(p, `article[data-comment-id="${replied.id}"] .children :text("second reply")`));
  check('a visitor has no comment form, a login link instead', !(await visible(p, '#new-comment', 500)) && (await visible(p, '.comments a:has-text("Log in")', 500)));
}

/** Payloads as local comments, as a signed remote Note, and as hostile HTML stored by a remote instance. */
async function xss(c: Ctx, visitor: Viewer, bob: Viewer): Promise<void> {
  for (const payload of XSS_PAYLOADS) await addCommentThread(c.bob, c.video.uuid, payload);
  const fake = new FakeActorServer();
  await fake.start();
  try {
    const videoUrl = `${c.base}/videos/watch/${c.video.uuid}`;
    const noteId = `${fake.actorUrl}/statuses/1`;
    const body = JSON.stringify({
      id: `${noteId}/activity`, type: 'Create', actor: fake.actorUrl, to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: { id: noteId, type: 'Note', inReplyTo: videoUrl, attributedTo: fake.actorUrl, published: new Date().toISOString(), content: `<p>remote note ${XSS_PAYLOADS.join(' ')}</p>` },
    });
    const res = await fetch(`${c.base}/inbox`, { method: 'POST', body, headers: signPost(`${c.base}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    check('the remote Note is accepted', res.status === 204);
    const remote = await until('the remote Note stored', async () => {
      const l: VideoCommentThreads = await listCommentThreads(c.alice, c.video.uuid, { count: 100 });
      return l.data.find((x) => x.url === noteId);
    }, 15_000).catch(() => undefined);
    check('the remote Note is a comment', !!remote && remote.account?.name === 'alice');
    // What a hostile or older instance could have left in the table: the client must hold on its own.
    const pg = new Client({ host: PG_SOCKET_DIR, user: 'postgres', database: c.stack.server.dbName });
    await pg.connect();
    try {
      await pg.query(
        `INSERT INTO video_comment (url, text, video_id, account_id) SELECT $1, $2, $3, account_id FROM video_comment WHERE url = $4`,
        [`${fake.actorUrl}/statuses/raw`, `<p>raw stored ${XSS_PAYLOADS.join(' ')}</p>`, c.video.id, noteId],
      );
    } finally {
      await pg.end();
    }
  } finally {
    await fake.stop();
  }
  for (const [v, who] of [[visitor, 'visitor'], [bob, 'bob']] as const) {
    const p = v.page;
    await p.goto(`${c.base}/w/${c.video.uuid}`);
    await p.waitForSelector('.comments article.comment:has-text("raw stored")');
    for (const el of await p.$$('.comments .list .markdown')) await el.hover({ timeout: 1000 }).catch(() => undefined);
    await p.waitForTimeout(500);
    const state = await p.evaluate(() => {
      // The comments' rendered text (avatars and the page's own markup are not the payloads').
      // (No named helper in here: the bundler would wrap it in a __name call the page lacks.)
      const texts = [...document.querySelectorAll('.comments .list .markdown')];
      const bad = 'script, iframe, svg, math, img, object, embed, style, details, [onerror], [onload], [ontoggle], [onmouseover], [style]';
      return {
        flag: (window as unknown as { __xss?: string }).__xss ?? null,
        dangerous: texts.reduce((n, t) => n + t.querySelectorAll(bad).length, 0),
        jsLinks: texts.reduce((n, t) => n + [...t.querySelectorAll('a')].filter((a) => !/^(https?:|\/|#|mailto:)/i.test((a.getAttribute('href') ?? '/').trim())).length, 0),
        rendered: texts.length,
      };
    });
    check(`xss (${who}): no payload ran`, state.flag === null && !result.notes.some((n) => n.startsWith(`${who}: unexpected`)));
    check(`xss (${who}): no script, handler, frame or svg in the comments`, state.dangerous === 0);
    check(`xss (${who}): no javascript: link`, state.jsLinks === 0);
    check(`xss (${who}): the comments rendered`, state.rendered >= XSS_PAYLOADS.length + 2);
    if (state.flag || state.dangerous || state.jsLinks) result.notes.push(`${who}: ${JSON.stringify(state)}`);
  }
  // Clicking every comment link stays inert too (javascript: ones would run now).
  const p = visitor.page;
  for (const a of await p.$$('.comments .list a:not([href^="http"])')) await a.click({ modifiers: ['Control'] }).catch(() => undefined);
  check('xss: clicking the links runs nothing', (await p.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null)) === null);
}

async function accessibility(c: Ctx, bob: Viewer): Promise<void> {
  const p = bob.page;
  for (const theme of ['light', 'dark']) {
    await p.evaluate((t) => localStorage.setItem('flotilla.theme', t), theme);
    await p.goto(`${c.base}/w/${c.video.uuid}`);
    await p.waitForSelector('.comments .list article.comment');
    const first = (await articles(p))[0];
    await p.click(`article[data-comment-id="${first}"] button:has-text("Reply")`);
    await p.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
    await auditHere(p, `watch page with comments, reply form open (${theme})`);
  }
  await p.evaluate(() => localStorage.removeItem('flotilla.theme'));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-comments-'));
  let stack: Stack | null = null;
  try {
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });
    stack = await startStack({ transcoding: { enabled: false }, runners: { embedded: { enabled: false } }, federation: { enabled: true, prevent_ssrf: false } });
    const base = stack.server.url;
    const admin = await stack.server.login('root', ROOT_PASSWORD);
    for (const u of ['alice', 'bob']) await admin.request('POST', '/api/v1/users', { json: { username: u, password: 'password1', email: `${u}@example.org`, role: 2, videoQuota: 100_000_000 } });
    const alice = await stack.server.login('alice', 'password1');
    const bob = await stack.server.login('bob', 'password1');
    const channelId = String((await alice.get<User>('/api/v1/users/me')).videoChannels[0].id);
    const video = (await uploadVideo(alice, clip, { name: 'Comment on me', channelId, privacy: '1' })).video;
    const held = (await uploadVideo(alice, clip, { name: 'Moderated comments', channelId, privacy: '1', commentsPolicy: '3' })).video;
    const c: Ctx = { stack, base, alice, bob, video, held };

    const bobV = await viewer(stack, 'bob');
    check('bob logs in', await uiLogin(bobV, base, 'bob', 'password1'));
    const step = (name: string) => console.log(`[comments] ${name} at ${Date.now() - t0} ms`);
    step('setup');
    await write(c, bobV);
    step('write');
    const aliceV = await viewer(stack, 'alice');
    await uiLogin(aliceV, base, 'alice', 'password1');
    const visitor = await viewer(stack, 'visitor');
    await approve(c, aliceV, visitor);
    step('approve');
    await paging(c, visitor);
    step('paging');
    await xss(c, visitor, bobV);
    step('xss');
    await accessibility(c, bobV);
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
