import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher } from './helpers/live';
import { waitFor } from './helpers/runners';
import { freePort, TestServer } from './helpers/test-server';

type Session = { id: number; startDate: string; endDate: string | null; error: number | null; endingProcessed: boolean };

/**
 * Publishes that must not become lives, and lives that cannot go on, each leaving its reason in the
 * session list: no quota left for a replay, the limits lowered, a job no runner takes, an old key,
 * bytes that are not RTMP. No runner runs here: a live's job stays pending.
 */
describe('live refusals with a real publisher', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let aliceId: number;
  let aliceChannel: number;
  let rtmpPort: number;
  let rtmpsPort: number;
  let tlsDir: string;
  const publishers: Publisher[] = [];
  const ACCEPT_TIMEOUT_MS = 2000;

  const publish = (url: string) => {
    const p = Publisher.start(url);
    publishers.push(p);
    return p;
  };
  const sessions = (api: ApiClient, id: number) => api.get<ResultList<Session>>(`/api/v1/videos/live/${id}/sessions`);
  const stateOf = async (id: number) => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id;
  const jobsOf = async (uuid: string) => {
    const { data } = await root.get<{ data: { uuid: string; state: { id: number }; privatePayload: { videoUUID?: string } }[] }>('/api/v1/runners/jobs', { count: 50 });
    return data.filter((j) => j.privatePayload.videoUUID === uuid);
  };

  beforeAll(async () => {
    rtmpPort = await freePort();
    rtmpsPort = await freePort();
    // A self-signed certificate for the RTMPS listener (ffmpeg does not verify by default).
    tlsDir = await mkdtemp(join(tmpdir(), 'flotilla-rtmps-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(tlsDir, 'key.pem'), '-out', join(tlsDir, 'cert.pem')], { stdio: 'ignore' });
    server = await TestServer.start({
      live: {
        rtmps: { enabled: true, port: rtmpsPort, key_file: join(tlsDir, 'key.pem'), cert_file: join(tlsDir, 'cert.pem') },
        enabled: true,
        allow_replay: true,
        max_user_lives: 20,
        runner_accept_timeout: `${ACCEPT_TIMEOUT_MS / 1000} seconds`,
        rtmp: { port: rtmpPort, hostname: '127.0.0.1' },
      },
      rates_limit: { api: { max: 2000 } },
    });
    root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2 } });
    alice = await server.login('alice', 'password1');
    const me = await alice.get<{ id: number; videoChannels: { id: number }[] }>('/api/v1/users/me');
    aliceId = me.id;
    aliceChannel = me.videoChannels[0]!.id;
  }, 90_000);

  afterAll(async () => {
    for (const p of publishers) await p.kill();
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(tlsDir, { recursive: true, force: true });
  });

  it('takes a publish over RTMPS (TLS), whose URL the owner sees beside the RTMP one', async () => {
    const { id, uuid } = await createLive(alice, aliceChannel, { name: 'Over TLS' });
    const live = await alice.get<{ rtmpUrl: string; rtmpsUrl: string | null; streamKey: string }>(`/api/v1/videos/live/${id}`);
    expect(live.rtmpsUrl).toBe(`rtmps://127.0.0.1:${rtmpsPort}/live`);
    expect((await server.api.get<{ rtmpsUrl: string | null }>(`/api/v1/videos/live/${id}`).catch(() => ({ rtmpsUrl: null }))).rtmpsUrl).toBeNull();
    const publisher = publish(`${live.rtmpsUrl}/${live.streamKey}`);
    await waitFor(async () => (await sessions(alice, id)).data.some((s) => s.endDate === null) && (await jobsOf(uuid)).length === 1, 10_000, 100);
    await publisher.kill();
    await waitFor(async () => (await sessions(alice, id)).data.every((s) => s.endDate !== null), 5000, 50);
  }, 60_000);

  it('a live whose job no runner takes ends with NO_RUNNER (101) after live.runner_accept_timeout, its job cancelled', async () => {
    const { id, uuid, live } = await createLive(alice, aliceChannel, { name: 'Nobody transcodes' });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    const pending = await waitFor(async () => (await jobsOf(uuid)).find((j) => j.state.id === 1) ?? null, 10_000, 100);
    const createdAt = Date.now();
    const session = await waitFor(async () => (await sessions(alice, id)).data.find((s) => s.endDate) ?? null, 10_000, 100);
    expect(session.error).toBe(101);
    expect(Date.now() - createdAt).toBeLessThan(ACCEPT_TIMEOUT_MS + 1500);
    expect(await stateOf(id)).toBe(5);
    expect(await Promise.race([publisher.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 5000))])).toBe('exited');
    expect((await jobsOf(uuid)).find((j) => j.uuid === pending.uuid)!.state.id).toBe(6);
  }, 60_000);

  it('a live keeping its replay is refused when the user has no quota left, with QUOTA_EXCEEDED (3) in its sessions; nothing else is made', async () => {
    await root.request('PUT', `/api/v1/users/${aliceId}`, { json: { videoQuota: 500 } });
    try {
      const { id, uuid, live } = await createLive(alice, aliceChannel, { name: 'Replay without room', saveReplay: true, replaySettings: { privacy: 1 } });
      const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
      expect(await publisher.exited).not.toBe(0);
      const { data, total } = await sessions(alice, id);
      expect(total).toBe(1);
      expect(data[0]).toMatchObject({ error: 3, endingProcessed: true });
      expect(data[0]!.endDate).not.toBeNull();
      expect(await stateOf(id)).toBe(4);
      expect(await jobsOf(uuid)).toEqual([]);
      // Without a replay the quota does not matter: the same user's other live goes on air (its job is made).
      const free = await createLive(alice, aliceChannel, { name: 'No replay' });
      const ok = publish(`${free.live.rtmpUrl}/${free.live.streamKey}`);
      await waitFor(async () => (await jobsOf(free.uuid)).length === 1, 10_000, 100);
      await ok.kill();
    } finally {
      await root.request('PUT', `/api/v1/users/${aliceId}`, { json: { videoQuota: -1 } });
    }
  }, 60_000);

  it('a publish past lives limits lowered since the lives were made is refused with LIVE_LIMIT_REACHED (100) in its sessions', async () => {
    const first = await createLive(root, (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id, { name: 'First on air', permanentLive: true });
    const second = await createLive(alice, aliceChannel, { name: 'Second on air', permanentLive: true });
    await server.restart({ live: { max_instance_lives: 1 } });
    root = await server.login();
    alice = await server.login('alice', 'password1');
    const on = publish(`${first.live.rtmpUrl}/${first.live.streamKey}`);
    await waitFor(async () => (await sessions(root, first.id)).data.some((s) => s.endDate === null), 10_000, 100);
    const refused = publish(`${second.live.rtmpUrl}/${second.live.streamKey}`);
    expect(await refused.exited).not.toBe(0);
    expect((await sessions(alice, second.id)).data[0]).toMatchObject({ error: 100, endingProcessed: true });
    await on.kill();
    await server.restart({ live: { max_instance_lives: 20 } });
    root = await server.login();
    alice = await server.login('alice', 'password1');
  }, 90_000);

  it('a live hidden by a moderator ends with BLACKLISTED (5), its pending job cancelled, and may not publish while hidden', async () => {
    const { id, uuid, live } = await createLive(alice, aliceChannel, { name: 'To be hidden', permanentLive: true });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await sessions(alice, id)).data.some((s) => s.endDate === null), 10_000, 50);
    await root.request('POST', `/api/v1/videos/${id}/blacklist`, { json: { reason: 'not here' } });
    const ended = await waitFor(async () => (await sessions(alice, id)).data.find((s) => s.endDate) ?? null, 5000, 50);
    expect(ended.error).toBe(5);
    expect(await Promise.race([publisher.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 5000))])).toBe('exited');
    await waitFor(async () => (await jobsOf(uuid)).every((j) => j.state.id === 6), 5000, 100);
    const again = publish(`${live.rtmpUrl}/${live.streamKey}`);
    expect(await again.exited).not.toBe(0);
    const { data, total } = await sessions(alice, id);
    expect(total).toBe(2);
    expect(data[0]).toMatchObject({ error: 5 });
  }, 60_000);

  it('refuses the old key after a regeneration, and bytes that are not RTMP, creating nothing', async () => {
    const { id, uuid, live } = await createLive(alice, aliceChannel, { name: 'New key', permanentLive: true });
    const { streamKey: fresh } = await alice.request<{ streamKey: string }>('POST', `/api/v1/videos/live/${id}/regenerate-stream-key`);
    expect(fresh).not.toBe(live.streamKey);
    const old = publish(`${live.rtmpUrl}/${live.streamKey}`);
    expect(await old.exited).not.toBe(0);
    expect((await sessions(alice, id)).total).toBe(0);

    // Random bytes on the RTMP port: the connection is dropped, the listener keeps working.
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(rtmpPort, '127.0.0.1', () => socket.write(randomBytes(8192)));
      socket.on('error', () => undefined);
      // Read what the server answers (its handshake): a paused socket never reports its end.
      socket.resume();
      socket.on('close', () => resolve('closed'));
      setTimeout(() => {
        socket.destroy();
        resolve('still open');
      }, 8000);
    });
    expect(closed).toBe('closed');
    expect(await jobsOf(uuid)).toEqual([]);
    const good = publish(`${live.rtmpUrl}/${fresh}`);
    await waitFor(async () => (await sessions(alice, id)).total === 1 && (await jobsOf(uuid)).length === 1, 10_000, 100);
    await good.kill();
  }, 60_000);
});
