import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { DEFAULT_NOTIFICATION_SETTINGS, type UserNotification } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { mailBody, mailTo, startSmtp, type SmtpSink } from './helpers/smtp-sink';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hostOf = (s: TestServer) => new URL(s.url).host;
type Channel = { name: string; host: string; followersCount: number; displayName: string };
type List<T> = { total: number; data: T[] };

describe('subscriptions (/api/v1/users/me/subscriptions)', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: ApiClient;
  let rootA: ApiClient;
  let rootB: ApiClient;
  let clip: string;
  let smtp: SmtpSink;
  const SUBS = '/api/v1/users/me/subscriptions';

  beforeAll(async () => {
    smtp = await startSmtp();
    const mailA = { smtp: { hostname: '127.0.0.1', port: smtp.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org' } };
    [a, b] = await Promise.all([TestServer.start({ ...FED, ...mailA }), TestServer.start(FED)]);
    rootA = await a.login();
    rootB = await b.login();
    await rootA.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2 } });
    await rootA.request('POST', '/api/v1/users', { json: { username: 'bob', password: 'password1', email: 'bob@example.org', role: 2 } });
    alice = await a.login('alice', 'password1');
    clip = makeClip(mkdtempSync(join(tmpdir(), 'subs-clip-')), 'clip.mp4', { seconds: 1, size: '160x120' });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp?.close();
  });

  it('subscribes to a local channel: listed, counted, found, its videos in the subscription feed', async () => {
    await alice.request('POST', SUBS, { json: { uri: 'root_channel' } });
    // Twice is the same subscription.
    await alice.request('POST', SUBS, { json: { uri: `root_channel@${hostOf(a)}` } });
    const list = await alice.get<List<Channel>>(SUBS);
    expect(list.total).toBe(1);
    expect(list.data[0]).toMatchObject({ name: 'root_channel', host: hostOf(a), followersCount: 1 });
    expect(await alice.get<Channel>(`${SUBS}/root_channel`)).toMatchObject({ name: 'root_channel', followersCount: 1 });
    expect(await a.api.get<Channel>('/api/v1/video-channels/root_channel')).toMatchObject({ followersCount: 1 });
    const exist = await alice.request<Record<string, boolean>>('GET', `${SUBS}/exist`, { query: { uris: ['root_channel', `root_channel@${hostOf(a)}`, 'bob_channel', 'nobody_here'] } });
    expect(exist).toEqual({ root_channel: true, [`root_channel@${hostOf(a)}`]: true, bob_channel: false, nobody_here: false });

    const bob = await a.login('bob', 'password1');
    const bobChannel = (await bob.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const rootChannel = (await rootA.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const followed = await legacyUpload(rootA, clip, { name: 'From root', channelId: String(rootChannel), privacy: '1' });
    const other = await legacyUpload(bob, clip, { name: 'From bob', channelId: String(bobChannel), privacy: '1' });
    const videos = await alice.get<List<{ uuid: string }>>(`${SUBS}/videos`);
    expect(videos.data.map((v) => v.uuid)).toContain(followed.video.uuid);
    expect(videos.data.map((v) => v.uuid)).not.toContain(other.video.uuid);
    expect(videos.total).toBe(1);
    // Another user's subscriptions are their own.
    expect((await bob.get<List<Channel>>(SUBS)).total).toBe(0);
    expect((await bob.get<List<unknown>>(`${SUBS}/videos`)).total).toBe(0);

    await alice.request('DELETE', `${SUBS}/root_channel`);
    expect((await alice.get<List<Channel>>(SUBS)).total).toBe(0);
    expect(await a.api.get<Channel>('/api/v1/video-channels/root_channel')).toMatchObject({ followersCount: 0 });
    expect((await alice.get<List<unknown>>(`${SUBS}/videos`)).total).toBe(0);
    await expectProblem(alice.request('DELETE', `${SUBS}/root_channel`), 404, 'follow_not_found');
  });

  it('subscribes to a remote channel: a signed Follow from the account actor, accepted by the origin, its videos arrive and are notified (row, socket, e-mail)', async () => {
    const uri = `root_channel@${hostOf(b)}`;
    await alice.request('PUT', '/api/v1/users/me/notification-settings', { json: { ...DEFAULT_NOTIFICATION_SETTINGS, newVideoFromSubscription: 3 } });
    const socket = connect(`${a.url}/user-notifications`, { transports: ['websocket'], reconnection: false, query: { accessToken: alice.accessToken! } });
    const pushed: UserNotification[] = [];
    socket.on('new-notification', (n: UserNotification) => pushed.push(n));
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    await alice.request('POST', SUBS, { json: { uri } });
    await until('B accepts', async () => (await a.sql<{ state: string }>(`SELECT f.state FROM actor_follow f JOIN actor t ON t.id = f.target_actor_id WHERE t.preferred_username = 'root_channel' AND t.server_id IS NOT NULL`))[0]?.state === 'accepted');
    // The Follow came from alice's account actor (as PeerTube's).
    const [row] = await b.sql<{ url: string }>(`SELECT f.url FROM actor_follow f JOIN actor t ON t.id = f.target_actor_id WHERE t.preferred_username = 'root_channel'`);
    expect(row.url).toMatch(new RegExp(`^${a.url}/accounts/alice/follows/\\d+$`));
    expect(await b.api.get<Channel>('/api/v1/video-channels/root_channel')).toMatchObject({ followersCount: 1 });
    const list = await alice.get<List<Channel>>(SUBS);
    expect(list.data.map((c) => `${c.name}@${c.host}`)).toEqual([uri]);
    expect((await alice.request<Record<string, boolean>>('GET', `${SUBS}/exist`, { query: { uris: uri } }))[uri]).toBe(true);

    const channelB = (await rootB.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await legacyUpload(rootB, clip, { name: 'From B', channelId: String(channelB), privacy: '1' });
    await until('the video in alice\'s subscription feed', async () => (await alice.get<List<{ uuid: string }>>(`${SUBS}/videos`)).data.some((v) => v.uuid === video.uuid));
    // B's channel owner was told of the remote follower; alice of the new video, on the page, her socket and by e-mail.
    const follow = await until('B\'s root told of the follower', async () => (await rootB.get<List<UserNotification>>('/api/v1/users/me/notifications')).data.find((n) => n.type === 10));
    expect(follow.actorFollow).toMatchObject({ follower: { name: 'alice', host: hostOf(a) }, following: { type: 'channel', name: 'root_channel' } });
    const notified = await until('alice\'s notification', async () => (await alice.get<List<UserNotification>>('/api/v1/users/me/notifications')).data.find((n) => n.type === 1 && n.video?.uuid === video.uuid));
    expect(notified.video!.channel).toMatchObject({ name: 'root_channel', host: hostOf(b) });
    await until('the socket event', async () => pushed.some((n) => n.id === notified.id));
    const mail = await until('the e-mail', async () => mailTo(smtp.mails, 'alice@example.org').find((m) => mailBody(m).includes('From B')));
    expect(mailBody(mail)).toContain(a.url);
    socket.close();

    await alice.request('DELETE', `${SUBS}/${uri}`);
    await until('B removes the follower', async () => (await b.api.get<Channel>('/api/v1/video-channels/root_channel')).followersCount === 0);
    expect((await alice.get<List<Channel>>(SUBS)).total).toBe(0);
  });

  it('tells administrators of a new instance follower (NEW_INSTANCE_FOLLOWER), not other users', async () => {
    await rootB.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(a)] } });
    const n = await until('A\'s root told', async () => (await rootA.get<List<UserNotification>>('/api/v1/users/me/notifications')).data.find((x) => x.type === 13));
    expect(n.actorFollow).toMatchObject({ state: 'accepted', follower: { host: hostOf(b) }, following: { type: 'instance' } });
    expect((await alice.get<List<UserNotification>>('/api/v1/users/me/notifications')).data.filter((x) => x.type === 13)).toHaveLength(0);
    await rootB.request('DELETE', `/api/v1/server/following/${hostOf(a)}`);
  });

  it('refuses what it cannot do', async () => {
    // No token.
    for (const [method, path] of [
      ['GET', SUBS],
      ['POST', SUBS],
      ['GET', `${SUBS}/exist?uris=root_channel`],
      ['GET', `${SUBS}/videos`],
      ['GET', `${SUBS}/root_channel`],
      ['DELETE', `${SUBS}/root_channel`],
    ]) {
      await expectProblem(a.api.request(method, path, method === 'POST' ? { json: { uri: 'root_channel' } } : {}), 401);
    }
    // Malformed URIs and queries.
    for (const uri of ['', 'has space', 'a@b@c', 'x'.repeat(400), 42, null]) {
      await expectProblem(alice.request('POST', SUBS, { json: { uri } }), 400);
    }
    await expectProblem(alice.request('POST', SUBS, { json: {} }), 400);
    await expectProblem(alice.request('GET', `${SUBS}/exist`), 400);
    await expectProblem(alice.request('GET', `${SUBS}/exist`, { query: { uris: 'bad uri' } }), 400);
    await expectProblem(alice.request('GET', SUBS, { query: { sort: 'nope' } }), 400);
    await expectProblem(alice.request('GET', SUBS, { query: { count: '1000' } }), 400);
    await expectProblem(alice.request('GET', `${SUBS}/videos`, { query: { sort: 'nope' } }), 400);
    // Unknown channels, local and remote; an account is not a channel.
    await expectProblem(alice.request('POST', SUBS, { json: { uri: 'no_such_channel' } }), 404, 'video_channel_not_found');
    await expectProblem(alice.request('POST', SUBS, { json: { uri: `no_such_channel@${hostOf(b)}` } }), 404, 'video_channel_not_found');
    await expectProblem(alice.request('POST', SUBS, { json: { uri: `root@${hostOf(b)}` } }), 404, 'video_channel_not_found');
    await expectProblem(alice.request('POST', SUBS, { json: { uri: 'root_channel@127.0.0.1:1' } }), 404, 'video_channel_not_found');
    // Not subscribed.
    await expectProblem(alice.request('GET', `${SUBS}/bob_channel`), 404, 'follow_not_found');
    await expectProblem(alice.request('GET', `${SUBS}/no_such_channel`), 404, 'follow_not_found');
    await expectProblem(alice.request('DELETE', `${SUBS}/no_such_channel@${hostOf(b)}`), 404, 'follow_not_found');
    // Nothing was half-written.
    expect((await alice.get<List<Channel>>(SUBS)).total).toBe(0);
    const [{ n }] = await a.sql<{ n: string }>(`SELECT count(*) AS n FROM actor_follow f JOIN actor s ON s.id = f.actor_id WHERE s.preferred_username = 'alice'`);
    expect(Number(n)).toBe(0);
  });
});
