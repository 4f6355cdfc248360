import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { DEFAULT_NOTIFICATION_SETTINGS, type UserNotification } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { waitFor } from './helpers/runners';
import { mailBody, mailTo, startSmtp, type SmtpSink } from './helpers/smtp-sink';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };
type List = { total: number; data: UserNotification[] };

describe('notifications across instances', () => {
  let a: TestServer;
  let b: TestServer;
  let smtp: SmtpSink;
  let socket: Socket | null = null;

  beforeAll(async () => {
    smtp = await startSmtp();
    [a, b] = await Promise.all([
      TestServer.start({ ...FED, smtp: { hostname: '127.0.0.1', port: smtp.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org' } }),
      TestServer.start(FED),
    ]);
  }, 120_000);
  afterAll(async () => {
    socket?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp?.close();
  });

  it('a user on A subscribes to B\'s channel, B accepts, B publishes: a row, a socket event and an e-mail on A', async () => {
    const rootA = await a.login();
    await rootA.request('POST', '/api/v1/users', { json: { username: 'hana', password: 'password1', email: 'hana@example.org', role: 2 } });
    const hana: ApiClient = await a.login('hana', 'password1');
    await hana.request('PUT', '/api/v1/users/me/notification-settings', { json: { ...DEFAULT_NOTIFICATION_SETTINGS, newVideoFromSubscription: 3 } });
    socket = connect(`${a.url}/user-notifications`, { transports: ['websocket'], reconnection: false, query: { accessToken: hana.accessToken! } });
    await new Promise<void>((resolve, reject) => {
      socket!.on('connect', () => resolve());
      socket!.on('connect_error', reject);
    });
    const pushed: UserNotification[] = [];
    socket.on('new-notification', (n: UserNotification) => pushed.push(n));

    const hostB = new URL(b.url).host;
    await hana.request('POST', '/api/v1/users/me/subscriptions', { json: { uri: `root_channel@${hostB}` } });
    await waitFor(async () => (await b.api.get<{ followersCount: number }>('/api/v1/video-channels/root_channel')).followersCount === 1);
    // B's owner was told of the remote follower.
    const rootB = await b.login();
    const follow = await waitFor(async () => (await rootB.get<List>('/api/v1/users/me/notifications')).data.find((n) => n.type === 10));
    expect(follow.actorFollow).toMatchObject({ follower: { name: 'hana', host: new URL(a.url).host }, following: { type: 'channel', name: 'root_channel' } });
    // A has the follow accepted (B's Accept came back).
    await waitFor(async () => (await a.sql<{ state: string }>(`SELECT state FROM actor_follow`))[0]?.state === 'accepted');

    const channelB = (await rootB.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-notif-')), 'clip.mp4', { seconds: 1, size: '160x120' });
    const { video } = await legacyUpload(rootB, clip, { name: 'Published on B', channelId: String(channelB), privacy: '1' });

    const row = await waitFor(async () => (await hana.get<List>('/api/v1/users/me/notifications')).data.find((n) => n.type === 1));
    expect(row).toMatchObject({ type: 1, read: false, video: { uuid: video.uuid, name: 'Published on B', channel: { name: 'root_channel', host: hostB } } });
    await waitFor(async () => pushed.some((n) => n.id === row.id), 5000, 50);
    expect(pushed.find((n) => n.id === row.id)).toEqual(row);
    const mail = await waitFor(async () => mailTo(smtp.mails, 'hana@example.org')[0], 20_000);
    expect(mailBody(mail)).toContain('Published on B');
  }, 90_000);
});
