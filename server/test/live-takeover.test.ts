import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher, RunnerCli } from './helpers/live';
import { newRegistrationToken, waitFor } from './helpers/runners';
import { freePort, REPO_ROOT, TestServer } from './helpers/test-server';

type Job = {
  uuid: string; type: string; state: { id: number }; runner: { name: string } | null; startedAt: string | null; error: string | null;
  payload: { input: Record<string, unknown>; output: Record<string, unknown> };
};

/**
 * The runner holding a live is SIGKILLed while the publisher streams: another runner takes the
 * live over (Flotilla; PeerTube ends the live), the session and the viewers' playlist go on.
 * How fast is the bench's business (`npm run bench -- live-takeover`); this checks what happens.
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

  it('a SIGKILLed runner’s live goes to the other runner and segments keep coming in the same session', async () => {
    const channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Survives its runner', latencyMode: 3 });
    const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    publishers.push(publisher);
    const jobs = async () => (await root.get<ResultList<Job>>('/api/v1/runners/jobs', { count: 10, sort: '-createdAt' })).data.filter((j) => j.type === 'live-rtmp-hls-transcoding');
    const first = await waitFor(async () => (await jobs()).find((j) => j.state.id === 2 && j.runner), 30_000, 200);
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 1, 40_000, 200);
    const hls = `${server.url}/static/streaming-playlists/hls/${uuid}`;
    const chunkSeqs = async () => Object.keys((await (await fetch(`${hls}/segments-sha256.json`)).json()) as Record<string, string>).map((n) => Number(/-(\d+)\.ts$/.exec(n)?.[1] ?? -1));
    await waitFor(async () => (await chunkSeqs()).length >= 2, 20_000, 200);
    const lastBefore = Math.max(...(await chunkSeqs()));
    const sessionBefore = (await root.get<ResultList<{ id: number }>>(`/api/v1/videos/live/${id}/sessions`)).data[0]!.id;

    // Flotilla's hint of the stream (from the publisher's metadata) rides beside PeerTube's fields.
    expect(first.payload.input.streamHint).toEqual({ video: { codec: 'h264', width: 320, height: 240, fps: 15 }, audio: { codec: 'aac', bitrate: expect.any(Number), channels: 1 } });

    const holder = runners.find((r) => r.name === first.runner!.name)!;
    await holder.kill('SIGKILL');
    const taken = await waitFor(async () => (await jobs()).find((j) => j.uuid !== first.uuid && j.state.id === 2 && j.runner && j.runner.name !== holder.name), 30_000, 100);
    expect(taken.runner!.name).not.toBe(holder.name);
    const taker = runners.find((r) => r.name === taken.runner!.name)!;
    // Segments keep coming from the new runner: several, numbered after the old ones.
    await waitFor(async () => (await chunkSeqs()).filter((s) => s > lastBefore).length >= 3, 40_000, 200);
    // The old job failed because its runner left the socket and its RTMP pull closed (the fast
    // path), not because the silence window ran out; its ffmpeg died with it (nothing else pulls).
    const old = (await jobs()).find((j) => j.uuid === first.uuid)!;
    expect(old.state.id).toBe(4);
    expect(old.error).toMatch(/^Runner gone/);
    // Still the same session, still on air.
    expect((await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id).toBe(1);
    const sessions = await root.get<ResultList<{ id: number; endDate: string | null }>>(`/api/v1/videos/live/${id}/sessions`);
    expect(sessions.total).toBe(1);
    expect(sessions.data[0]!.id).toBe(sessionBefore);
    expect(sessions.data[0]!.endDate).toBeNull();
    // Players see the restart as a discontinuity in one media playlist, numbered on from the old chunks.
    const master = await (await fetch(`${hls}/master.m3u8`)).text();
    const media = await (await fetch(`${hls}/${/^[a-z0-9-]+\.m3u8$/m.exec(master)![0]}`)).text();
    expect(media).toContain('#EXT-X-DISCONTINUITY');
    expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)![1])).toBeGreaterThan(lastBefore);
    // The runner taking over started ffmpeg from the hint, and its own probe agreed (no restart).
    expect(taker.output).toContain('ffmpeg starts from the server hint');
    expect(taker.output).toContain('live timing: probe in');
    expect(taker.output).not.toContain('restarted with the probed values');

    await publisher.stop();
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 5, 20_000, 200);
  }, 120_000);

  it('a job without the hint (a publisher sending no metadata) is PeerTube’s payload field for field, and the runner probes first', async () => {
    const channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const { id, uuid, live } = await createLive(root, channelId, { name: 'No metadata', latencyMode: 3 });
    const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`, { noMetadata: true });
    publishers.push(publisher);
    const job = await waitFor(async () => (await root.get<ResultList<Job>>('/api/v1/runners/jobs', { count: 10, sort: '-createdAt' })).data.find((j) => j.type === 'live-rtmp-hls-transcoding' && j.state.id === 2 && j.runner && (j.payload.input.rtmpUrl as string).endsWith(live.streamKey)), 30_000, 200);
    expect(Object.keys(job.payload.input)).toEqual(['rtmpUrl']);
    expect(Object.keys(job.payload.output).sort()).toEqual(['segmentDuration', 'segmentListSize', 'toTranscode']);
    const hls = `${server.url}/static/streaming-playlists/hls/${uuid}`;
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 1, 40_000, 200);
    await waitFor(async () => {
      const res = await fetch(`${hls}/segments-sha256.json`);
      return res.ok && Object.keys((await res.json()) as Record<string, string>).length >= 2;
    }, 40_000, 200);
    const holder = runners.find((r) => r.name === job.runner!.name)!;
    expect(holder.output).toContain('live timing: probed, ffmpeg starts');
    await publisher.stop();
    await waitFor(async () => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id === 5, 20_000, 200);
  }, 120_000);
});
