import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher, RunnerCli } from './helpers/live';
import { newRegistrationToken, waitFor } from './helpers/runners';
import { freePort, REPO_ROOT, TestServer } from './helpers/test-server';

type Job = { uuid: string; type: string; state: { id: number }; runner: { name: string } | null; startedAt: string | null };

/**
 * The runner holding a live is SIGKILLed while the publisher streams: another runner takes the
 * live over (Flotilla; PeerTube ends the live), the session and the viewers' playlist go on.
 */
describe('live runner takeover', () => {
  let server: TestServer;
  let root: ApiClient;
  let dir: string;
  const runners: RunnerCli[] = [];
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-live-takeover-'));
    server = await TestServer.start({
      live: { enabled: true, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } },
      rates_limit: { api: { max: 5000 } },
    });
    root = await server.login();
    for (const name of ['live-a', 'live-b']) runners.push(await RunnerCli.start(server.url, await newRegistrationToken(root), name, dir, REPO_ROOT));
  }, 90_000);

  afterAll(async () => {
    for (const p of publishers) await p.kill();
    for (const r of runners) await r.kill();
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output, runners.map((r) => r.output).join('\n----\n'));
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a SIGKILLed runner’s live goes to the other runner within 5 s and segments keep coming', async () => {
    const channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Survives its runner', latencyMode: 3 });
    const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    publishers.push(publisher);
    const jobs = async () => (await root.get<ResultList<Job>>('/api/v1/runners/jobs', { count: 10, sort: '-createdAt' })).data.filter((j) => j.type === 'live-rtmp-hls-transcoding');
    const first = await waitFor(async () => (await jobs()).find((j) => j.state.id === 2 && j.runner), 30_000, 200);
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 1, 40_000, 200);
    const hashesUrl = `${server.url}/static/streaming-playlists/hls/${uuid}/segments-sha256.json`;
    const chunkSeqs = async () => Object.keys((await (await fetch(hashesUrl)).json()) as Record<string, string>).map((n) => Number(/-(\d+)\.ts$/.exec(n)?.[1] ?? -1));
    await waitFor(async () => (await chunkSeqs()).length >= 2, 20_000, 200);
    const lastBefore = Math.max(...(await chunkSeqs()));

    const holder = runners.find((r) => r.name === first.runner!.name)!;
    await holder.kill('SIGKILL');
    const killedAt = Date.now();
    const taken = await waitFor(async () => (await jobs()).find((j) => j.uuid !== first.uuid && j.state.id === 2 && j.runner && j.runner.name !== holder.name), 20_000, 100);
    const takeoverMs = Date.now() - killedAt;
    await waitFor(async () => (await chunkSeqs()).some((s) => s > lastBefore), 30_000, 200);
    const stallMs = Date.now() - killedAt;
    console.log(`live takeover: new job accepted ${takeoverMs} ms after the runner was killed; first new segment stored after ${stallMs} ms`);
    expect(takeoverMs).toBeLessThan(5000);
    expect(taken.runner!.name).not.toBe(holder.name);
    // Still the same session, still on air.
    expect((await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id).toBe(1);
    const sessions = await root.get<ResultList<{ endDate: string | null }>>(`/api/v1/videos/live/${id}/sessions`);
    expect(sessions.total).toBe(1);
    expect(sessions.data[0]!.endDate).toBeNull();
    const old = (await jobs()).find((j) => j.uuid === first.uuid)!;
    expect(old.state.id).toBe(4);

    await publisher.stop();
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 5, 20_000, 200);
  }, 120_000);
});
