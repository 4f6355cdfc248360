import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCommentThreadTree } from '@flotilla/shared';
import { addCommentReply, addCommentThread, deleteComment, getCommentThread, listCommentThreads } from '../../client/src/api/comments';
import { FakeActorServer, signPost } from './helpers/fake-actor';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };
const AP = { Accept: 'application/activity+json' };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
const hostOf = (s: TestServer) => new URL(s.url).host;

describe('comments across instances (Create/Delete{Note}, forwards, Mastodon replies)', () => {
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let fake: FakeActorServer;
  let uuid: string;
  let videoUrl: string;

  const threadsOn = (s: TestServer) => listCommentThreads(s.api, uuid, { count: 100 });
  const postToB = (activity: unknown) => {
    const body = JSON.stringify(activity);
    return fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
  };

  beforeAll(async () => {
    fake = new FakeActorServer();
    await fake.start();
    // One after the other: three boots at once on a loaded machine can each miss the start timeout.
    a = await TestServer.start(FED);
    b = await TestServer.start(FED);
    c = await TestServer.start(FED);
    // A and C follow B: B's videos reach them, and B forwards comments on its videos to them.
    for (const s of [a, c]) {
      const root = await s.login();
      await root.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(b)] } });
      await until('follow accepted', async () => (await root.request<{ data: { state: string }[] }>('GET', '/api/v1/server/following')).data.some((f) => f.state === 'accepted'));
    }
    const rootB = await b.login();
    const channelId = (await rootB.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-comments-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    uuid = (await legacyUpload(rootB, clip, { name: 'Commented on B', channelId: String(channelId), privacy: '1' })).video.uuid;
    videoUrl = `${b.url}/videos/watch/${uuid}`;
    for (const s of [a, c]) await until('the video listed', async () => (await s.api.request<{ uuid: string }>('GET', `/api/v1/videos/${uuid}`)).uuid === uuid);
  }, 180_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(a?.output, b?.output, c?.output);
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), fake?.stop()]);
  });

  let fromA: { id: number; url: string };

  it('a comment on A under B\'s video appears on B (origin) and on C (forwarded by B); its Note is served on A', async () => {
    const rootA = await a.login();
    const comment = await addCommentThread(rootA, uuid, 'Hello from A, **bold**');
    fromA = comment;
    expect(comment.url).toBe(`${a.url}/videos/watch/${uuid}/comments/${comment.id}`);

    const note = await (await fetch(comment.url, { headers: AP })).json();
    expect(note).toMatchObject({
      type: 'Note',
      id: comment.url,
      content: 'Hello from A, **bold**',
      mediaType: 'text/markdown',
      inReplyTo: videoUrl,
      attributedTo: `${a.url}/accounts/root`,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
    });
    const res = await fetch(comment.url, { headers: AP });
    expect(res.headers.get('content-type')).toContain('application/activity+json');
    expect((await (await fetch(`${comment.url}/activity`, { headers: AP })).json())).toMatchObject({ type: 'Create', actor: `${a.url}/accounts/root`, object: { id: comment.url } });
    expect((await fetch(`${a.url}/videos/watch/${uuid}/comments/999999`, { headers: AP })).status).toBe(404);

    for (const s of [b, c]) {
      const list = await until(`the comment on ${s === b ? 'B' : 'C'}`, async () => {
        const l = await threadsOn(s);
        return l.data.some((x) => x.url === comment.url) ? l : null;
      });
      const there = list.data.find((x) => x.url === comment.url)!;
      expect(there).toMatchObject({ text: 'Hello from A, **bold**', account: { name: 'root', host: hostOf(a) }, isDeleted: false });
    }
    // The origin lists it in the video's `comments` collection.
    expect(await (await fetch(`${videoUrl}/comments`, { headers: AP })).json()).toMatchObject({ type: 'OrderedCollection', id: `${videoUrl}/comments`, totalItems: 1, first: `${videoUrl}/comments?page=1` });
    expect(await (await fetch(`${videoUrl}/comments?page=1`, { headers: AP })).json()).toMatchObject({ type: 'OrderedCollectionPage', partOf: `${videoUrl}/comments`, orderedItems: [comment.url] });
    expect((await fetch(`${b.url}/videos/watch/00000000-0000-4000-8000-000000000000/comments`, { headers: AP })).status).toBe(404);
    expect((await fetch(`${videoUrl}/comments?page=0`, { headers: AP })).status).toBe(400);
  });

  it('a reply on B to A\'s comment reaches A, in the thread', async () => {
    const rootB = await b.login();
    const onB = (await threadsOn(b)).data.find((x) => x.url === fromA.url)!;
    const reply = await addCommentReply(rootB, uuid, onB.id, 'Welcome @root@' + hostOf(a));
    const tree = await until('the reply on A', async () => {
      const t: VideoCommentThreadTree = await getCommentThread(a.api, uuid, fromA.id);
      return t.children.some((ch) => ch.comment.url === reply.url) ? t : null;
    });
    expect(tree.children[0].comment).toMatchObject({ text: `Welcome @root@${hostOf(a)}`, account: { name: 'root', host: hostOf(b) } });
  });

  it('policy 3 across instances: held at the origin and on A, the owner approves, A gets the ApproveReply', async () => {
    const rootB = await b.login();
    const channelId = (await rootB.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-comments-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const moderated = (await legacyUpload(rootB, clip, { name: 'Moderated on B', channelId: String(channelId), privacy: '1', commentsPolicy: '3' })).video.uuid;
    await until('the moderated video on A', async () => (await a.api.request<{ commentsPolicy: { id: number } }>('GET', `/api/v1/videos/${moderated}`)).commentsPolicy.id === 3);
    const rootA = await a.login();
    const held = await addCommentThread(rootA, moderated, 'Please let me in');
    expect(held.heldForReview).toBe(true);
    const onB = await until('the held comment on B', async () => (await listCommentThreads(rootB, moderated)).data.find((x) => x.url === held.url));
    expect(onB.heldForReview).toBe(true);
    // Nobody else sees it, on either side.
    expect((await listCommentThreads(b.api, moderated)).total).toBe(0);
    expect((await listCommentThreads(a.api, moderated)).total).toBe(0);
    expect((await fetch(held.url, { headers: AP })).status).toBe(404);

    await rootB.request('POST', `/api/v1/videos/${moderated}/comments/${onB.id}/approve`);
    expect((await listCommentThreads(b.api, moderated)).data.map((x) => x.url)).toEqual([held.url]);
    const approved = await until('the ApproveReply on A', async () => (await listCommentThreads(a.api, moderated)).data.find((x) => x.url === held.url));
    expect(approved.heldForReview).toBe(false);
    const [row] = await a.sql<{ reply_approval: string }>('SELECT reply_approval FROM video_comment WHERE url = $1', [held.url]);
    expect(row.reply_approval).toBe(`${held.url}/approve-reply`);
    const note = await (await fetch(held.url, { headers: AP })).json();
    expect(note).toMatchObject({ type: 'Note', replyApproval: `${held.url}/approve-reply` });
    // C follows B but never saw the held comment: A sends it again with the approval, B passes it on.
    const onC = await until('the approved comment on C', async () => (await listCommentThreads(c.api, moderated)).data.find((x) => x.url === held.url));
    expect(onC).toMatchObject({ text: 'Please let me in', heldForReview: false, account: { name: 'root', host: hostOf(a) } });
    moderatedUuid = moderated;
  });

  let moderatedUuid: string;

  it('policy 3: the owner refusing a held comment deletes it, and the Delete reaches its author\'s instance', async () => {
    const rootA = await a.login();
    const rootB = await b.login();
    const refused = await addCommentThread(rootA, moderatedUuid, 'Spam, spam, spam');
    expect(refused.heldForReview).toBe(true);
    const onB = await until('the held comment on B', async () => (await listCommentThreads(rootB, moderatedUuid)).data.find((x) => x.url === refused.url));
    await deleteComment(rootB, moderatedUuid, onB.id);
    await until('the tombstone on A', async () => {
      const [row] = await a.sql<{ deleted_at: Date | null }>('SELECT deleted_at FROM video_comment WHERE url = $1', [refused.url]);
      return row.deleted_at !== null;
    });
    expect((await listCommentThreads(rootA, moderatedUuid)).data.some((x) => x.url === refused.url && !x.isDeleted)).toBe(false);
    expect((await fetch(refused.url, { headers: AP })).status).toBe(200);
    expect(await (await fetch(refused.url, { headers: AP })).json()).toMatchObject({ type: 'Tombstone', id: refused.url });
    // C never had it and still has nothing of it.
    expect((await c.sql('SELECT id FROM video_comment WHERE url = $1', [refused.url])).length).toBe(0);
  });

  let mastodonNote: string;

  it('a Mastodon-shaped reply (HTML, mention, hostile markup) is stored as a sanitized comment', async () => {
    mastodonNote = `${fake.actorUrl}/statuses/107224289116410645`;
    const activity = {
      '@context': ['https://www.w3.org/ns/activitystreams', { ostatus: 'http://ostatus.org#', atomUri: 'ostatus:atomUri' }],
      id: `${mastodonNote}/activity`,
      type: 'Create',
      actor: fake.actorUrl,
      published: '2021-11-05T11:46:50Z',
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${fake.actorUrl}/followers`, `${b.url}/accounts/root`],
      object: {
        id: mastodonNote,
        type: 'Note',
        summary: null,
        inReplyTo: videoUrl,
        published: '2021-11-05T11:46:50Z',
        url: `${fake.base}/@alice/107224289116410645`,
        attributedTo: fake.actorUrl,
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        cc: [`${fake.actorUrl}/followers`, `${b.url}/accounts/root`],
        sensitive: false,
        content: `<p><span class="h-card"><a href="${b.url}/accounts/root" class="u-url mention">@<span>root</span></a></span> nice video!<script>window.__xss=1</script><img src=x onerror="window.__xss=1"><a href="javascript:alert(1)">click</a></p>`,
        tag: [{ type: 'Mention', href: `${b.url}/accounts/root`, name: `@root@${hostOf(b)}` }],
      },
    };
    expect((await postToB(activity)).status).toBe(204);
    const list = await until('the Mastodon reply on B', async () => {
      const l = await threadsOn(b);
      return l.data.some((x) => x.url === mastodonNote) ? l : null;
    });
    const stored = list.data.find((x) => x.url === mastodonNote)!;
    expect(stored.account).toMatchObject({ name: 'alice', host: `127.0.0.1:${fake.port}` });
    expect(stored.text).toContain('nice video!');
    expect(stored.text).toContain(`href="${b.url}/accounts/root"`);
    expect(stored.text).not.toMatch(/script|onerror|javascript:|<img/i);
    expect(stored.createdAt).toBe('2021-11-05T11:46:50.000Z');

    // Mastodon edits: an Update{Note} by its author changes the text; by anyone else, or older, it does not.
    const edited = { ...activity.object, content: '<p>edited <b>text</b><img src=x onerror=alert(1)></p>', updated: '2021-11-06T10:00:00Z' };
    expect((await postToB({ id: `${mastodonNote}#updates/1`, type: 'Update', actor: fake.actorUrl, object: edited })).status).toBe(204);
    const after = await until('the edit on B', async () => (await threadsOn(b)).data.find((x) => x.url === mastodonNote && x.text.includes('edited')));
    expect(after.text).toBe('<p>edited <b>text</b></p>');
    const older = { ...activity.object, content: '<p>stale edit</p>', updated: '2021-11-05T12:00:00Z' };
    expect((await postToB({ id: `${mastodonNote}#updates/0`, type: 'Update', actor: fake.actorUrl, object: older })).status).toBe(204);
  });

  it('refuses a Note whose author is not the sender, and a Delete by someone else', async () => {
    const before = (await threadsOn(b)).totalNotDeletedComments;
    const spoof = {
      id: `${fake.actorUrl}/statuses/spoof/activity`,
      type: 'Create',
      actor: fake.actorUrl,
      object: { id: `${a.url}/videos/watch/${uuid}/comments/424242`, type: 'Note', content: 'spoofed', inReplyTo: videoUrl, attributedTo: `${a.url}/accounts/root`, published: new Date().toISOString() },
    };
    expect((await postToB(spoof)).status).toBe(204);
    const otherHost = { ...spoof, object: { ...spoof.object, id: `${a.url}/statuses/1`, attributedTo: fake.actorUrl } };
    expect((await postToB(otherHost)).status).toBe(204);
    const del = { id: `${fake.actorUrl}#delete-a`, type: 'Delete', actor: fake.actorUrl, object: fromA.url };
    expect((await postToB(del)).status).toBe(204);
    // An accepted activity after them: once it is in, the refused ones were processed before it.
    const marker = `${fake.actorUrl}/statuses/marker`;
    expect((await postToB({ id: `${marker}/activity`, type: 'Create', actor: fake.actorUrl, object: { id: marker, type: 'Note', content: '<p>marker</p>', inReplyTo: videoUrl, attributedTo: fake.actorUrl, published: new Date().toISOString() } })).status).toBe(204);
    const after = await until('the marker', async () => {
      const l = await threadsOn(b);
      return l.data.some((x) => x.url === marker) ? l : null;
    });
    expect(after.totalNotDeletedComments).toBe(before + 1);
    expect(after.data.find((x) => x.url === fromA.url)?.isDeleted).toBe(false);
    expect(after.data.some((x) => x.text.includes('spoofed'))).toBe(false);
    // The stale edit (processed before the marker) changed nothing.
    expect(after.data.find((x) => x.url === mastodonNote)?.text).toBe('<p>edited <b>text</b></p>');
  });

  it('deletes: A\'s own delete reaches B and C as a tombstone; the Mastodon author\'s Delete removes theirs', async () => {
    const rootA = await a.login();
    await deleteComment(rootA, uuid, fromA.id);
    for (const s of [b, c]) {
      await until(`the tombstone on ${s === b ? 'B' : 'C'}`, async () => {
        const [row] = await s.sql<{ deleted_at: Date | null; text: string; account_id: number | null }>('SELECT deleted_at, text, account_id FROM video_comment WHERE url = $1', [fromA.url]);
        return row.deleted_at !== null && row.text === '' && row.account_id === null;
      });
    }
    // On B a reply hangs on it: the thread stays, as a tombstone.
    expect((await threadsOn(b)).data.find((x) => x.url === fromA.url)).toMatchObject({ isDeleted: true, text: '', account: null, totalReplies: 1 });
    const tomb = await (await fetch(fromA.url, { headers: AP })).json();
    expect(tomb).toMatchObject({ type: 'Tombstone', formerType: 'Note', id: fromA.url, inReplyTo: videoUrl });

    expect((await postToB({ id: `${mastodonNote}#delete`, type: 'Delete', actor: fake.actorUrl, object: { id: mastodonNote, type: 'Tombstone' } })).status).toBe(204);
    await until('the Mastodon reply gone on B', async () => !(await threadsOn(b)).data.some((x) => x.url === mastodonNote));
  });
});
