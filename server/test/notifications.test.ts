import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { io as connect, type Socket } from 'socket.io-client';
import { DEFAULT_NOTIFICATION_SETTINGS, REQUIRED_NOTIFICATION_SETTINGS, type User, type UserNotification } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { RunnerSide, waitFor } from './helpers/runners';
import { mailBody, mailTo, startSmtp, type SmtpSink } from './helpers/smtp-sink';
import { Publisher, createLive } from './helpers/live';
import { expectProblem, freePort, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

type List = { total: number; data: UserNotification[] };
const NOTIFS = '/api/v1/users/me/notifications';

describe('notifications (/api/v1/users/me/notifications, settings, socket, e-mail)', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let root: ApiClient;
  const users: Record<string, ApiClient> = {};
  let clip: string;
  const sockets: Socket[] = [];
  const connectTo = (opts: Parameters<typeof connect>[1]): Socket => {
    const s = connect(`${server.url}/user-notifications`, { transports: ['websocket'], reconnection: false, ...opts });
    sockets.push(s);
    return s;
  };
  const refusal = (s: Socket) => new Promise<string>((resolve) => s.on('connect_error', (e) => resolve(e.message)));
  const connected = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.on('connect', () => resolve());
      s.on('connect_error', reject);
    });
  const channelId = async (api: ApiClient) => (await api.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await TestServer.start({
      rates_limit: { enabled: false },
      transcoding: { enabled: false },
      signup: { enabled: true, requires_approval: false, requires_email_verification: false },
      smtp: { hostname: '127.0.0.1', port: smtp.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org' },
    });
    root = await server.login();
    for (const name of ['carol', 'dave', 'erin', 'frank']) {
      await root.request('POST', '/api/v1/users', { json: { username: name, password: 'password1', email: `${name}@example.org`, role: 2 } });
      users[name] = await server.login(name, 'password1');
    }
    clip = makeClip(mkdtempSync(join(tmpdir(), 'notif-clip-')), 'clip.mp4', { seconds: 1, size: '160x120' });
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
    await smtp?.close();
  });

  it('has PeerTube\'s default settings; an update needs every field PeerTube requires', async () => {
    const me = await users.dave.get<User>('/api/v1/users/me');
    expect(me.notificationSettings).toMatchObject({ newVideoFromSubscription: 1, newCommentOnMyVideo: 1, myVideoPublished: 1, newFollow: 1, commentMention: 1, abuseAsModerator: 3, newUserRegistration: 1, newInstanceFollower: 1 });
    const SETTINGS = '/api/v1/users/me/notification-settings';
    const full = (over: Record<string, unknown>) => ({ ...Object.fromEntries(REQUIRED_NOTIFICATION_SETTINGS.map((k) => [k, DEFAULT_NOTIFICATION_SETTINGS[k]])), ...over });
    await users.dave.request('PUT', SETTINGS, { json: full({ newVideoFromSubscription: 3 }) });
    // The newer, optional settings may be left out (they keep their value) or given; unknown fields are ignored, as PeerTube does.
    await users.frank.request('PUT', SETTINGS, { json: full({ newVideoFromSubscription: 0, abuseStateChange: 1, someFutureSetting: 2 }) });
    expect((await users.dave.get<User>('/api/v1/users/me')).notificationSettings).toMatchObject({ newVideoFromSubscription: 3, newFollow: 1, abuseStateChange: 3 });
    expect((await users.frank.get<User>('/api/v1/users/me')).notificationSettings).toMatchObject({ newVideoFromSubscription: 0, abuseStateChange: 1 });
    // Refusals: nothing changes.
    await expectProblem(server.api.request('PUT', SETTINGS, { json: full({ newFollow: 0 }) }), 401);
    const missingOne = full({ newFollow: 0 });
    delete missingOne.autoInstanceFollowing;
    for (const json of [{ newFollow: 0 }, {}, missingOne, full({ newFollow: 4 }), full({ newFollow: -1 }), full({ newFollow: '1' }), full({ newFollow: 1.5 }), full({ newFollow: null }), full({ abuseNewMessage: 7 }), []]) {
      await expectProblem(users.dave.request('PUT', SETTINGS, { json }), 400, 'invalid_params');
    }
    expect((await users.dave.get<User>('/api/v1/users/me')).notificationSettings).toMatchObject({ newVideoFromSubscription: 3, newFollow: 1 });
  });

  it('refuses a notification socket without a valid token', async () => {
    expect(await refusal(connectTo({}))).toMatch(/no access token/i);
    expect(await refusal(connectTo({ query: { accessToken: 'not-a-token' } }))).toMatch(/invalid access token/i);
    expect(await refusal(connectTo({ auth: { accessToken: 'x'.repeat(2000) } }))).toMatch(/no access token/i);
  });

  it('tells a channel\'s owner of new followers, subscribers of its new video (page, socket, e-mail), the owner of the publication', async () => {
    const daveSocket = connectTo({ query: { accessToken: users.dave.accessToken! } });
    await connected(daveSocket);
    const pushed: UserNotification[] = [];
    daveSocket.on('new-notification', (n: UserNotification) => pushed.push(n));

    for (const name of ['dave', 'erin', 'frank']) await users[name].request('POST', '/api/v1/users/me/subscriptions', { json: { uri: 'carol_channel' } });
    const follows = await waitFor(async () => {
      const l = await users.carol.get<List>(NOTIFS);
      return l.data.filter((n) => n.type === 10).length === 3 ? l : null;
    });
    expect(follows.data[0]).toMatchObject({
      type: 10,
      read: false,
      actorFollow: { state: 'accepted', follower: { name: 'frank', host: new URL(server.url).host }, following: { type: 'channel', name: 'carol_channel' } },
    });

    const { video } = await legacyUpload(users.carol, clip, { name: 'Carol\'s clip', channelId: String(await channelId(users.carol)), privacy: '1' });
    const daves = await waitFor(async () => (await users.dave.get<List>(NOTIFS)).data.find((n) => n.type === 1));
    expect(daves).toMatchObject({ type: 1, read: false, video: { uuid: video.uuid, name: 'Carol\'s clip', channel: { name: 'carol_channel', displayName: expect.any(String) } } });
    expect(daves.video!.shortUUID).toBeTruthy();
    await waitFor(async () => (await users.erin.get<List>(NOTIFS)).data.some((n) => n.type === 1));
    await waitFor(async () => (await users.carol.get<List>(NOTIFS)).data.some((n) => n.type === 6 && n.video?.uuid === video.uuid));
    // The socket got the same notification as the list shows.
    await waitFor(async () => pushed.some((n) => n.id === daves.id), 5000, 50);
    expect(pushed.find((n) => n.id === daves.id)).toEqual(daves);
    // dave asked for e-mail too (3); erin (1) did not; frank (0) gets nothing.
    const mail = await waitFor(async () => mailTo(smtp.mails, 'dave@example.org')[0], 20_000);
    expect(mailBody(mail)).toMatch(/Carol's clip/);
    expect(mailTo(smtp.mails, 'erin@example.org')).toHaveLength(0);
    expect((await users.frank.get<List>(NOTIFS)).total).toBe(0);
    // The uploader is not told of their own video as a subscriber.
    expect((await users.carol.get<List>(NOTIFS)).data.filter((n) => n.type === 1)).toHaveLength(0);
  });

  it('lists (unread, sort, pagination), marks read by id and all read; refuses others\' ids and bad input', async () => {
    const all = await users.carol.get<List>(NOTIFS);
    expect(all.total).toBe(4);
    const asc = await users.carol.request<List>('GET', NOTIFS, { query: { sort: 'createdAt', start: '1', count: '2' } });
    expect(asc.data.map((n) => n.id)).toEqual([...all.data].reverse().slice(1, 3).map((n) => n.id));
    await users.carol.request('POST', `${NOTIFS}/read`, { json: { ids: [all.data[0].id, all.data[1].id] } });
    const unread = await users.carol.request<List>('GET', NOTIFS, { query: { unread: 'true' } });
    expect(unread.total).toBe(2);
    expect(unread.data.every((n) => !n.read)).toBe(true);
    // dave's notification is not carol's to mark: 404, and nothing of hers changed either.
    const daves = (await users.dave.get<List>(NOTIFS)).data[0];
    await expectProblem(users.carol.request('POST', `${NOTIFS}/read`, { json: { ids: [daves.id, unread.data[0].id] } }), 404);
    expect((await users.carol.request<List>('GET', NOTIFS, { query: { unread: 'true' } })).total).toBe(2);
    expect((await users.dave.get<List>(NOTIFS)).data[0].read).toBe(false);
    await users.carol.request('POST', `${NOTIFS}/read-all`);
    expect((await users.carol.request<List>('GET', NOTIFS, { query: { unread: 'true' } })).total).toBe(0);
    expect((await users.dave.request<List>('GET', NOTIFS, { query: { unread: 'true' } })).total).toBeGreaterThan(0);

    for (const [method, path] of [['GET', NOTIFS], ['POST', `${NOTIFS}/read`], ['POST', `${NOTIFS}/read-all`]]) {
      await expectProblem(server.api.request(method, path, method === 'POST' ? { json: { ids: [1] } } : {}), 401);
    }
    for (const json of [{}, { ids: [] }, { ids: ['a'] }, { ids: [0] }, { ids: [1.5] }, { ids: Array.from({ length: 101 }, (_, i) => i + 1) }, { ids: 3 }]) {
      await expectProblem(users.carol.request('POST', `${NOTIFS}/read`, { json }), 400);
    }
    for (const query of [{ sort: 'name' }, { unread: 'maybe' }, { count: '101' }, { start: '-1' }]) {
      await expectProblem(users.carol.request('GET', NOTIFS, { query }), 400);
    }
  });

  it('tells administrators of a new user registration', async () => {
    await server.api.request('POST', '/api/v1/users/register', { json: { username: 'gina', password: 'password1', email: 'gina@example.org' } });
    const n = await waitFor(async () => (await root.get<List>(NOTIFS)).data.find((x) => x.type === 9));
    expect(n).toMatchObject({ type: 9, account: { name: 'gina' } });
    expect((await users.dave.get<List>(NOTIFS)).data.filter((x) => x.type === 9)).toHaveLength(0);
  });

  it('tells a video\'s owner of a comment, the mentioned accounts and the author of the comment replied to (comments feature, real fan-out job)', async () => {
    const video = (await users.carol.get<{ data: { id: number; uuid: string }[] }>('/api/v1/users/me/videos')).data[0];
    const threads = `/api/v1/videos/${video.id}/comment-threads`;
    // dave has an avatar: notifications about dave carry it as PeerTube's do (path and width).
    const form = new FormData();
    form.append('avatarfile', new Blob([await sharp({ create: { width: 300, height: 300, channels: 3, background: '#cc3366' } }).png().toBuffer()], { type: 'image/png' }), 'dave.png');
    await users.dave.request('POST', '/api/v1/users/me/avatar/pick', { body: form });
    const thread = (await users.dave.request<{ comment: { id: number } }>('POST', threads, { json: { text: 'Nice one @erin' } })).comment;
    const onVideo = await waitFor(async () => (await users.carol.get<List>(NOTIFS)).data.find((n) => n.type === 2 && n.comment?.id === thread.id));
    expect(onVideo.comment).toMatchObject({ id: thread.id, threadId: thread.id, heldForReview: false, account: { name: 'dave' }, video: { uuid: video.uuid } });
    expect(onVideo.comment!.account.avatars).toHaveLength(3);
    expect((await fetch(`${server.url}${onVideo.comment!.account.avatars[0].path}`)).status).toBe(200);
    const mention = await waitFor(async () => (await users.erin.get<List>(NOTIFS)).data.find((n) => n.type === 11 && n.comment?.id === thread.id));
    expect(mention.comment).toMatchObject({ id: thread.id, account: { name: 'dave' } });
    // A reply by erin tells dave (the author of the comment replied to), not erin herself.
    const reply = (await users.erin.request<{ comment: { id: number } }>('POST', `/api/v1/videos/${video.id}/comments/${thread.id}`, { json: { text: 'Thanks' } })).comment;
    await waitFor(async () => (await users.dave.get<List>(NOTIFS)).data.find((n) => n.type === 11 && n.comment?.id === reply.id));
    expect((await users.erin.get<List>(NOTIFS)).data.filter((n) => n.comment?.id === reply.id)).toHaveLength(0);
    // The author is not told of their own comment.
    expect((await users.dave.get<List>(NOTIFS)).data.filter((n) => n.comment?.id === thread.id)).toHaveLength(0);
    // A comment held for review (policy 3): the owner only.
    await users.carol.request('PUT', `/api/v1/videos/${video.id}`, { json: { commentsPolicy: 3 } });
    const held = (await users.dave.request<{ comment: { id: number } }>('POST', threads, { json: { text: 'Held @erin' } })).comment;
    const toOwner = await waitFor(async () => (await users.carol.get<List>(NOTIFS)).data.find((n) => n.type === 2 && n.comment?.id === held.id));
    expect(toOwner.comment?.heldForReview).toBe(true);
    // A later fan-out (a new follower of carol's channel) is done: the held comment's would be too.
    await root.request('POST', '/api/v1/users/me/subscriptions', { json: { uri: 'carol_channel' } });
    await waitFor(async () => (await users.carol.get<List>(NOTIFS)).data.find((n) => n.type === 10 && n.actorFollow?.follower.name === 'root'));
    expect((await users.erin.get<List>(NOTIFS)).data.filter((n) => n.comment?.id === held.id)).toHaveLength(0);
    // Approved: now erin, whom it mentions, is told, with the author's avatar; the owner is not told again.
    await users.carol.request('POST', `/api/v1/videos/${video.id}/comments/${held.id}/approve`);
    const late = await waitFor(async () => (await users.erin.get<List>(NOTIFS)).data.find((n) => n.type === 11 && n.comment?.id === held.id));
    expect(late.comment).toMatchObject({ id: held.id, heldForReview: false, account: { name: 'dave' } });
    expect(late.comment!.account.avatars.map((a) => a.width).sort((x, y) => x - y)).toEqual([48, 120, 600]);
    for (const a of late.comment!.account.avatars) expect(a).toEqual({ path: expect.stringMatching(/^\/lazy-static\/avatars\/[\w-]+\.webp$/), width: expect.any(Number) });
    expect((await users.carol.get<List>(NOTIFS)).data.filter((n) => n.comment?.id === held.id)).toHaveLength(1);
    await users.carol.request('PUT', `/api/v1/videos/${video.id}`, { json: { commentsPolicy: 1 } });
  });

  it('keeps e-mails in the queue while the SMTP server is down, and sends them when it is back; the rest does not wait', async () => {
    const port = smtp.port;
    await smtp.close();
    const { video } = await legacyUpload(users.carol, clip, { name: 'While SMTP is down', channelId: String(await channelId(users.carol)), privacy: '1' });
    // The rows and pushes are there at once.
    await waitFor(async () => (await users.dave.get<List>(NOTIFS)).data.find((n) => n.video?.uuid === video.uuid));
    smtp = await startSmtp(port);
    const mail = await waitFor(async () => mailTo(smtp.mails, 'dave@example.org').find((m) => mailBody(m).includes('While SMTP is down')), 60_000, 500);
    expect(mail).toBeTruthy();
  }, 90_000);

  it('tells a video\'s owner when a moderator hides it (4, videoBlacklist) and shows it again (5), per blacklistOnMyVideo (page and e-mail)', async () => {
    const video = (await users.carol.get<{ data: { id: number; uuid: string; name: string }[] }>('/api/v1/users/me/videos')).data[0];
    const blacklist = `/api/v1/videos/${video.uuid}/blacklist`;
    const mine = async (type: number) => (await users.carol.get<List>(NOTIFS, { count: 100 })).data.filter((n) => n.type === type);
    const mails = () => mailTo(smtp.mails, 'carol@example.org');
    expect(mails()).toHaveLength(0);

    await root.request('POST', blacklist, { json: { reason: 'copyright claim' } });
    const hidden = await waitFor(async () => (await mine(4))[0]);
    const [entry] = (await root.get<{ data: { id: number; video: { uuid: string } }[] }>('/api/v1/videos/blacklist')).data;
    expect(hidden).toMatchObject({ type: 4, read: false, videoBlacklist: { id: entry.id, video: { id: video.id, uuid: video.uuid, name: video.name, channel: { name: 'carol_channel' } } } });
    expect(hidden.videoBlacklist!.video.shortUUID).toBeTruthy();
    expect(hidden.video ?? null).toBeNull();
    // PeerTube's default for blacklistOnMyVideo is 3: an e-mail too, with the reason.
    const hideMail = await waitFor(async () => mails()[0], 20_000);
    expect(mailBody(hideMail)).toMatch(/hidden by a moderator[\s\S]*copyright claim/);

    await root.request('DELETE', blacklist);
    const shown = await waitFor(async () => (await mine(5))[0]);
    expect(shown).toMatchObject({ type: 5, read: false, video: { id: video.id, uuid: video.uuid, name: video.name, channel: { name: 'carol_channel' } } });
    expect(shown.videoBlacklist ?? null).toBeNull();
    await waitFor(async () => mails().find((m) => /visible again/.test(mailBody(m))), 20_000);
    // Nobody else is told (dave subscribes to carol's channel).
    expect((await users.dave.get<List>(NOTIFS, { count: 100 })).data.filter((n) => n.type === 4 || n.type === 5)).toHaveLength(0);

    // Setting off: neither a row nor an e-mail.
    const full = Object.fromEntries(REQUIRED_NOTIFICATION_SETTINGS.map((k) => [k, DEFAULT_NOTIFICATION_SETTINGS[k]]));
    await users.carol.request('PUT', '/api/v1/users/me/notification-settings', { json: { ...full, blacklistOnMyVideo: 0 } });
    await root.request('POST', blacklist, { json: {} });
    await root.request('DELETE', blacklist);
    // A later fan-out (dave comments: newCommentOnMyVideo is on) is done, and a moment for the two before it.
    const later = (await users.dave.request<{ comment: { id: number } }>('POST', `/api/v1/videos/${video.id}/comment-threads`, { json: { text: 'After the hiding' } })).comment;
    await waitFor(async () => (await mine(2)).find((n) => n.comment?.id === later.id));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await mine(4)).toHaveLength(1);
    expect(await mine(5)).toHaveLength(1);
    expect(mails()).toHaveLength(2);
  }, 90_000);
});

describe('notifications: a video whose transcoding fails for good', () => {
  let server: TestServer;
  afterAll(async () => {
    await server?.stop();
  });

  it('tells its owner (Flotilla\'s type 101) once the runner job errored past its retries', async () => {
    server = await TestServer.start({ rates_limit: { enabled: false }, transcoding: { enabled: true }, runners: { embedded: { enabled: false }, max_failures: 1 } });
    const root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'hana', password: 'password1', email: 'hana@example.org', role: 2 } });
    const hana = await server.login('hana', 'password1');
    const channel = (await hana.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'notif-fail-')), 'clip.mp4', { seconds: 1, size: '160x120' });
    const { video } = await legacyUpload(hana, clip, { name: 'Will not transcode', channelId: String(channel), privacy: '1' });
    const runner = await RunnerSide.register(server, root, 'failing');
    const offered = await waitFor(async () => (await runner.request()).availableJobs[0]);
    const job = await runner.accept(offered.uuid);
    await runner.post(`/jobs/${job.uuid}/error`, { jobToken: job.jobToken, message: 'ffmpeg exited with code 1' });
    const n = await waitFor(async () => (await hana.get<List>(NOTIFS)).data.find((x) => x.type === 101));
    expect(n).toMatchObject({ type: 101, read: false, video: { uuid: video.uuid, name: 'Will not transcode' } });
    // Nobody else is told.
    expect((await root.get<List>(NOTIFS)).data.filter((x) => x.type === 101)).toHaveLength(0);
  }, 120_000);
});

describe('notifications: a live going on air', () => {
  let server: TestServer;
  let publisher: Publisher | null = null;
  afterAll(async () => {
    await publisher?.kill();
    await server?.stop();
  });

  it('tells the channel\'s subscribers (NEW_LIVE_FROM_SUBSCRIPTION, 21) when the stream starts, not when the live is created', async () => {
    server = await TestServer.start({
      rates_limit: { enabled: false },
      live: { enabled: true, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } },
      runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 1 } },
    });
    const root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'ivy', password: 'password1', email: 'ivy@example.org', role: 2 } });
    const ivy = await server.login('ivy', 'password1');
    await ivy.request('POST', '/api/v1/users/me/subscriptions', { json: { uri: 'root_channel' } });
    const channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const { id, uuid, live } = await createLive(root, channelId, { name: 'On air soon' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await ivy.get<List>(NOTIFS)).total).toBe(0);
    publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    const n = await waitFor(async () => (await ivy.get<List>(NOTIFS)).data.find((x) => x.type === 21), 60_000, 300);
    expect(n.video).toMatchObject({ id, uuid, name: 'On air soon', channel: { name: 'root_channel' } });
    expect((await ivy.get<List>(NOTIFS)).data.filter((x) => x.type === 1)).toHaveLength(0);
  }, 120_000);
});
