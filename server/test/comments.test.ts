import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, User, VideoCommentForOwnerOrAdmin } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { addCommentReply, addCommentThread, approveComment, deleteComment, getCommentThread, listCommentThreads } from '../../client/src/api/comments';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

describe('comments API (threads, replies, policy, approval, delete rules)', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let bob: ApiClient;
  let mod: ApiClient;
  let anon: ApiClient;
  let dir: string;
  let clip: string;
  let aliceChannel: number;
  let video: { id: number; uuid: string };

  const upload = async (api: ApiClient, channelId: number, fields: Record<string, string> = {}) =>
    (await legacyUpload(api, clip, { name: 'Commented', channelId: String(channelId), privacy: '1', ...fields })).video;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-comments-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });
    server = await TestServer.start({ rates_limit: { enabled: false }, transcoding: { enabled: false } });
    root = await server.login();
    anon = new ApiClient(server.url);
    for (const [username, role] of [['alice', 2], ['bob', 2], ['mod', 1]] as const) {
      await root.request('POST', '/api/v1/users', { json: { username, password: 'password1', email: `${username}@example.org`, role, videoQuota: 10_000_000 } });
    }
    alice = await server.login('alice', 'password1');
    bob = await server.login('bob', 'password1');
    mod = await server.login('mod', 'password1');
    aliceChannel = (await alice.get<User>('/api/v1/users/me')).videoChannels[0].id;
    video = await upload(alice, aliceChannel);
  }, 120_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('threads and replies: counts, sorts, pagination, tree', async () => {
    const first = await addCommentThread(bob, video.uuid, 'First **thread** @alice');
    expect(first).toMatchObject({
      text: 'First **thread** @alice',
      threadId: first.id,
      inReplyToCommentId: null,
      videoId: video.id,
      isDeleted: false,
      deletedAt: null,
      heldForReview: false,
      totalReplies: 0,
      account: { name: 'bob', host: new URL(server.url).host },
    });
    expect(first.url).toBe(`${server.url}/videos/watch/${video.uuid}/comments/${first.id}`);
    const second = await addCommentThread(root, video.id, 'Second thread');
    const r1 = await addCommentReply(alice, video.uuid, first.id, 'A reply by the author of the video');
    expect(r1).toMatchObject({ threadId: first.id, inReplyToCommentId: first.id });
    const r2 = await addCommentReply(bob, video.uuid, r1.id, 'A reply to the reply');
    expect(r2).toMatchObject({ threadId: first.id, inReplyToCommentId: r1.id });

    const newest = await listCommentThreads(anon, video.uuid);
    expect(newest.total).toBe(2);
    expect(newest.totalNotDeletedComments).toBe(4);
    expect(newest.data.map((c) => c.id)).toEqual([second.id, first.id]);
    expect(newest.data[1]).toMatchObject({ totalReplies: 2, totalRepliesFromVideoAuthor: 1 });
    const mostReplies = await listCommentThreads(anon, video.uuid, { sort: '-totalReplies' });
    expect(mostReplies.data.map((c) => c.id)).toEqual([first.id, second.id]);
    const page = await listCommentThreads(anon, video.uuid, { start: 1, count: 1 });
    expect(page).toMatchObject({ total: 2, data: [{ id: first.id }] });

    const tree = await getCommentThread(anon, video.uuid, first.id);
    expect(tree.comment.id).toBe(first.id);
    expect(tree.children).toHaveLength(1);
    expect(tree.children[0].comment.id).toBe(r1.id);
    expect(tree.children[0].children[0].comment).toMatchObject({ id: r2.id, text: 'A reply to the reply' });
  });

  it('refuses bad input: 400 (empty, too long, bad ids, other video), 401, 404', async () => {
    await expectProblem(addCommentThread(anon, video.uuid, 'hello'), 401);
    await expectProblem(addCommentThread(bob, video.uuid, ''), 400);
    await expectProblem(addCommentThread(bob, video.uuid, '   \n '), 400);
    await expectProblem(addCommentThread(bob, video.uuid, 'x'.repeat(10001)), 400);
    await expectProblem(bob.request('POST', `/api/v1/videos/${video.uuid}/comment-threads`, { json: {} }), 400);
    await expectProblem(bob.request('POST', `/api/v1/videos/${video.uuid}/comment-threads`, { json: { text: 42 } }), 400);
    expect((await addCommentThread(bob, video.uuid, 'y'.repeat(10000))).text).toHaveLength(10000);
    await expectProblem(addCommentThread(bob, 'not-a-video', 'hello'), 404);
    await expectProblem(addCommentThread(bob, '999999', 'hello'), 404);
    await expectProblem(listCommentThreads(anon, '999999'), 404);
    await expectProblem(anon.get(`/api/v1/videos/${video.uuid}/comment-threads`, { sort: 'name' }), 400);
    await expectProblem(anon.get(`/api/v1/videos/${video.uuid}/comment-threads`, { count: 1000 }), 400);
    await expectProblem(anon.get(`/api/v1/videos/${video.uuid}/comment-threads/abc`), 400);
    await expectProblem(getCommentThread(anon, video.uuid, 999999), 404, 'video_comment_not_found');
    await expectProblem(addCommentReply(bob, video.uuid, 999999, 'hello'), 404, 'video_comment_not_found');
    await expectProblem(bob.request('POST', `/api/v1/videos/${video.uuid}/comments/0`, { json: { text: 'x' } }), 400);
    // A reply is not a thread.
    const t = await addCommentThread(bob, video.uuid, 'thread');
    const r = await addCommentReply(bob, video.uuid, t.id, 'reply');
    await expectProblem(getCommentThread(anon, video.uuid, r.id), 404);
    // A comment of another video.
    const other = await upload(alice, aliceChannel, { name: 'Other' });
    await expectProblem(addCommentReply(bob, other.uuid, t.id, 'wrong video'), 400, 'comment_not_associated_to_video');
    await expectProblem(getCommentThread(anon, other.uuid, t.id), 400, 'comment_not_associated_to_video');
    await expectProblem(deleteComment(bob, other.uuid, t.id), 400, 'comment_not_associated_to_video');
    await expectProblem(deleteComment(anon, video.uuid, t.id), 401);
  });

  it('delete rules: author, video owner, moderator yes; others 403; twice 409; replies keep a tombstone', async () => {
    const thread = await addCommentThread(bob, video.uuid, 'to be deleted');
    const reply = await addCommentReply(root, video.uuid, thread.id, 'reply stays');
    // Another user (not author, not owner, not moderator).
    const carol = await root.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: { username: 'carol', password: 'password1', email: 'carol@example.org', role: 2 } });
    expect(carol.user.id).toBeGreaterThan(0);
    const carolApi = await server.login('carol', 'password1');
    await expectProblem(deleteComment(carolApi, video.uuid, thread.id), 403, 'not_video_comment_owner');
    await expectProblem(deleteComment(carolApi, video.uuid, 999999), 404);

    await deleteComment(bob, video.uuid, thread.id);
    await expectProblem(deleteComment(bob, video.uuid, thread.id), 409, 'video_comment_already_deleted');
    // The thread is still listed (a reply hangs on it), as a tombstone.
    const list = await listCommentThreads(anon, video.uuid);
    const tomb = list.data.find((c) => c.id === thread.id)!;
    expect(tomb).toMatchObject({ isDeleted: true, text: '', account: null, totalReplies: 1 });
    expect(tomb.deletedAt).not.toBeNull();
    await expectProblem(addCommentReply(bob, video.uuid, thread.id, 'to a deleted one'), 404);
    const tree = await getCommentThread(anon, video.uuid, thread.id);
    expect(tree.children[0].comment).toMatchObject({ id: reply.id, text: 'reply stays' });

    // The video's owner deletes someone's comment; a moderator too.
    const c1 = await addCommentThread(bob, video.uuid, 'owner removes this');
    await deleteComment(alice, video.uuid, c1.id);
    const c2 = await addCommentThread(bob, video.uuid, 'moderator removes this');
    await deleteComment(mod, video.uuid, c2.id);
    // Deleted threads without replies leave the list.
    await expectProblem(getCommentThread(anon, video.uuid, c1.id), 404, 'video_comment_not_found');
    const ids = (await listCommentThreads(anon, video.uuid, { count: 100 })).data.map((c) => c.id);
    expect(ids).not.toContain(c1.id);
    expect(ids).not.toContain(c2.id);
    const before = (await listCommentThreads(anon, video.uuid)).totalNotDeletedComments;
    await deleteComment(root, video.uuid, reply.id);
    expect((await listCommentThreads(anon, video.uuid)).totalNotDeletedComments).toBe(before - 1);
    // The thread with only deleted replies is gone too.
    expect((await listCommentThreads(anon, video.uuid, { count: 100 })).data.map((c) => c.id)).not.toContain(thread.id);
    await expectProblem(getCommentThread(anon, video.uuid, thread.id), 404);
  });

  it('policy: disabled → 403 and an empty list; legacy commentsEnabled; policy in the video JSON', async () => {
    const v = await upload(alice, aliceChannel, { name: 'No comments', commentsPolicy: '2' });
    const details = await anon.get<{ commentsPolicy: { id: number; label: string }; commentsEnabled: boolean }>(`/api/v1/videos/${v.uuid}`);
    expect(details).toMatchObject({ commentsPolicy: { id: 2, label: 'Disabled' }, commentsEnabled: false });
    await expectProblem(addCommentThread(bob, v.uuid, 'hello'), 403, 'video_comments_disabled');
    expect(await listCommentThreads(anon, v.uuid)).toEqual({ total: 0, totalNotDeletedComments: 0, data: [] });

    const legacy = await upload(alice, aliceChannel, { name: 'Legacy flag', commentsEnabled: 'false' });
    expect((await anon.get<{ commentsPolicy: { id: number } }>(`/api/v1/videos/${legacy.uuid}`)).commentsPolicy.id).toBe(2);
    await expectProblem(addCommentThread(bob, legacy.uuid, 'hello'), 403);
    // Enabled again by update (the legacy boolean): replies to existing threads are refused while disabled.
    await alice.request('PUT', `/api/v1/videos/${legacy.uuid}`, { body: (() => { const f = new FormData(); f.append('commentsEnabled', 'true'); return f; })() });
    const t = await addCommentThread(bob, legacy.uuid, 'now allowed');
    await alice.request('PUT', `/api/v1/videos/${legacy.uuid}`, { body: (() => { const f = new FormData(); f.append('commentsPolicy', '2'); return f; })() });
    await expectProblem(addCommentReply(bob, legacy.uuid, t.id, 'not any more'), 403, 'video_comments_disabled');
    await expectProblem(alice.request('PUT', `/api/v1/videos/${legacy.uuid}`, { body: (() => { const f = new FormData(); f.append('commentsPolicy', '4'); return f; })() }), 400);
  });

  it('approval (policy 3): held comments seen by author and owner only, approved by the owner', async () => {
    const v = await upload(alice, aliceChannel, { name: 'Moderated', commentsPolicy: '3' });
    const held = await addCommentThread(bob, v.uuid, 'please approve me');
    expect(held.heldForReview).toBe(true);
    const own = await addCommentThread(alice, v.uuid, 'the owner is never held');
    expect(own.heldForReview).toBe(false);

    expect((await listCommentThreads(anon, v.uuid)).data.map((c) => c.id)).toEqual([own.id]);
    expect((await listCommentThreads(anon, v.uuid)).totalNotDeletedComments).toBe(1);
    expect((await listCommentThreads(bob, v.uuid)).data.map((c) => c.id)).toEqual([own.id, held.id]);
    expect((await listCommentThreads(alice, v.uuid)).data.find((c) => c.id === held.id)?.heldForReview).toBe(true);
    await expectProblem(getCommentThread(anon, v.uuid, held.id), 404);
    await expectProblem(addCommentReply(root, v.uuid, held.id, 'cannot see it'), 404);
    expect((await getCommentThread(bob, v.uuid, held.id)).comment.heldForReview).toBe(true);

    // The owner's comments list shows it, filtered on held ones; moderators list every comment.
    const mine = await alice.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/users/me/videos/comments', { isHeldForReview: 'true', videoId: v.id });
    expect(mine.data.map((c) => c.id)).toEqual([held.id]);
    expect(mine.data[0]).toMatchObject({ video: { uuid: v.uuid }, account: { name: 'bob' } });
    expect((await bob.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/users/me/videos/comments', { videoId: v.id })).total).toBe(0);
    expect((await mod.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/videos/comments', { videoId: v.id })).total).toBe(2);
    expect((await mod.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/videos/comments', { videoId: v.id, isLocal: 'true', onLocalVideo: 'true' })).total).toBe(2);
    expect((await mod.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/videos/comments', { videoId: v.id, isLocal: 'false' })).total).toBe(0);
    expect((await mod.get<ResultList<VideoCommentForOwnerOrAdmin>>('/api/v1/videos/comments', { search: 'approve me' })).data.map((c) => c.id)).toEqual([held.id]);
    await expectProblem(alice.get('/api/v1/videos/comments'), 403);
    await expectProblem(anon.get('/api/v1/videos/comments'), 401);
    await expectProblem(anon.get('/api/v1/users/me/videos/comments'), 401);
    await expectProblem(alice.get('/api/v1/users/me/videos/comments', { isHeldForReview: 'maybe' }), 400);
    await expectProblem(mod.get('/api/v1/videos/comments', { count: 101 }), 400);

    await expectProblem(approveComment(bob, v.uuid, held.id), 403);
    await expectProblem(approveComment(anon, v.uuid, held.id), 401);
    await expectProblem(approveComment(alice, v.uuid, 999999), 404);
    await expectProblem(approveComment(alice, v.uuid, own.id), 409, 'video_comment_not_held_for_review');
    await approveComment(alice, v.uuid, held.id);
    await expectProblem(approveComment(alice, v.uuid, held.id), 409);
    const after = await listCommentThreads(anon, v.uuid);
    expect(after.data.map((c) => c.id).sort()).toEqual([own.id, held.id].sort());
    expect(after.data.find((c) => c.id === held.id)?.heldForReview).toBe(false);
  });

  it('private videos: comments follow the video access (401 anonymous, 403 another user)', async () => {
    const v = await upload(alice, aliceChannel, { name: 'Private', privacy: '3' });
    await expectProblem(listCommentThreads(anon, v.uuid), 401);
    await expectProblem(listCommentThreads(bob, v.uuid), 403);
    await expectProblem(addCommentThread(bob, v.uuid, 'hi'), 403);
    const c = await addCommentThread(alice, v.uuid, 'my own note');
    expect((await listCommentThreads(alice, v.uuid)).data[0].id).toBe(c.id);
  });

  it('stores the text as sent (markdown and HTML are rendered by the client, never trusted)', async () => {
    const payload = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=1"> [x](javascript:alert(1))';
    const c = await addCommentThread(bob, video.uuid, payload);
    expect(c.text).toBe(payload);
    const res = await fetch(`${server.url}/api/v1/videos/${video.uuid}/comment-threads`);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
