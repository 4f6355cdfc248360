import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher } from './helpers/live';
import { sleep, waitFor } from './helpers/runners';
import { freePort, TestServer } from './helpers/test-server';

type Session = { id: number; startDate: string; endDate: string | null; error: number | null; replayVideo: { uuid: string } | null; endingProcessed: boolean };

/**
 * Lives end to end: a real ffmpeg publisher over RTMP, the server's ingest, the embedded runner
 * taking the `live-rtmp-hls-transcoding` job, HLS fetched over HTTP as a player would.
 */
describe('live over RTMP with a real publisher and the embedded runner', () => {
  let server: TestServer;
  let root: ApiClient;
  let channelId: number;
  const publishers: Publisher[] = [];
  const sockets: Socket[] = [];
  const GRACE_MS = 3000;

  const publish = (url: string, o?: Parameters<typeof Publisher.start>[1]) => {
    const p = Publisher.start(url, o);
    publishers.push(p);
    return p;
  };
  const video = (id: number) => server.api.get<VideoDetails>(`/api/v1/videos/${id}`);
  const stateOf = async (id: number) => (await root.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id;
  const sessions = (id: number) => root.get<ResultList<Session>>(`/api/v1/videos/live/${id}/sessions`);
  const hlsDir = (uuid: string) => join(server.storage, 'streaming-playlists', 'hls', uuid);
  const fetchText = async (url: string) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.text();
  };

  beforeAll(async () => {
    const rtmpPort = await freePort();
    server = await TestServer.start({
      live: {
        enabled: true,
        reconnect_grace: `${GRACE_MS / 1000} seconds`,
        rtmp: { port: rtmpPort, hostname: '127.0.0.1' },
        transcoding: { enabled: true, resolutions: { '240p': true, '360p': false, '720p': false } },
      },
      runners: { embedded: { enabled: true, concurrency: 3, ffmpeg_threads: 1 } },
      transcoding: { resolutions: { '240p': true, '360p': false } },
      rates_limit: { api: { max: 5000 } },
    });
    root = await server.login();
    const me = await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me');
    channelId = me.videoChannels[0]!.id;
  }, 90_000);

  afterAll(async () => {
    for (const p of publishers) await p.kill();
    for (const s of sockets) s.disconnect();
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
  });

  it('refuses an unknown stream key in under a second, creating nothing', async () => {
    const { live } = await createLive(root, channelId, { name: 'Key check' });
    const intruder = publish(`${live.rtmpUrl}/00000000-0000-4000-8000-000000000000`, { verbose: true });
    const code = await intruder.exited;
    const exitedAt = Date.now();
    expect(code).not.toBe(0);
    // From the TCP connection (ffmpeg's own log line) to the publisher's exit: handshake, connect,
    // publish, the key lookup and the refusal.
    expect(intruder.connectedAt).not.toBeNull();
    const took = exitedAt - intruder.connectedAt!;
    console.log(`unknown key: publisher refused and gone ${took} ms after its connection opened`);
    expect(took).toBeLessThan(1000);
    const jobs = await root.get<{ total: number }>('/api/v1/runners/jobs', { count: 5 });
    expect(jobs.total).toBe(0);
  }, 120_000);

  it('a stream without video ends its session with an error, leaving no files', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'No picture' });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`, { audioOnly: true });
    await waitFor(async () => (await stateOf(id)) === 5, 40_000, 200);
    expect((await sessions(id)).data[0]).toMatchObject({ error: 6 });
    // The publisher is cut off and the live's folder is gone.
    expect(await Promise.race([publisher.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 5000))])).toBe('exited');
    await waitFor(async () => !existsSync(hlsDir(uuid)) || readdirSync(hlsDir(uuid)).length === 0, 40_000, 300);
  }, 120_000);

  it('copies the top rung only when the source has a keyframe every segment: a 6 s GOP is re-encoded into 2 s segments', async () => {
    type Job = { uuid: string; state: { id: number }; payload: { input: { keyframeInterval?: number } }; privatePayload?: unknown };
    const jobOf = async (uuid: string) => {
      const { data } = await root.get<{ data: (Job & { privatePayload: { videoUUID: string } })[] }>('/api/v1/runners/jobs', { count: 20, sort: '-createdAt' });
      return data.find((j) => j.privatePayload.videoUUID === uuid) ?? null;
    };
    const extinfs = (text: string) => [...text.matchAll(/^#EXTINF:([\d.]+),/gm)].map((m) => Number(m[1]));
    const media = async (uuid: string) => {
      const base = `${server.url}/static/streaming-playlists/hls/${uuid}`;
      const variant = /^(\S+\.m3u8)$/m.exec(await fetchText(`${base}/master.m3u8`))![1]!;
      return fetchText(`${base}/${variant}`);
    };
    for (const [keyframeEvery, copies] of [[1, true], [6, false]] as const) {
      const { id, uuid, live } = await createLive(root, channelId, { name: `GOP ${keyframeEvery} s`, latencyMode: 3 });
      const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`, { keyframeEvery });
      const job = await waitFor(() => jobOf(uuid), 20_000, 200);
      const measured = job.payload.input.keyframeInterval!;
      if (copies) expect(measured).toBeCloseTo(1, 1);
      else expect(measured).toBeGreaterThan(2);
      await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
      // Two complete segments of the top (only) rung: a copy cut on a 6 s GOP would make 6 s ones.
      const text = await waitFor(async () => {
        const t = await media(uuid);
        return extinfs(t).length >= 2 ? t : null;
      }, 30_000, 300);
      for (const d of extinfs(text)) expect(d).toBeLessThan(2.6);
      await publisher.stop();
      await waitFor(async () => (await stateOf(id)) === 5, 15_000, 100);
    }
  }, 180_000);

  it('a live from start to end: state pushed, HLS served with per-segment hashes, one publisher per key, files gone after', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Whole live', latencyMode: 3 });
    // Two viewers follow the live on /live-videos, as PeerTube's watch page does.
    const states: number[] = [];
    const counts: number[] = [];
    const viewers = [0, 1].map(() => connect(`${server.url}/live-videos`, { transports: ['websocket'], reconnection: false }));
    sockets.push(...viewers);
    await Promise.all(viewers.map((v) => new Promise<void>((resolve) => v.on('connect', () => resolve()))));
    viewers[0]!.on('state-change', (p: { state: number }) => states.push(p.state));
    viewers[0]!.on('views-change', (p: { viewers: number }) => counts.push(p.viewers));
    viewers[0]!.emit('subscribe', { videoId: id });
    await waitFor(async () => counts.at(-1) === 1, 5000, 50);
    viewers[1]!.emit('subscribe', { videoId: id });
    await waitFor(async () => counts.at(-1) === 2, 5000, 50);
    viewers[1]!.disconnect();
    await waitFor(async () => counts.at(-1) === 1, 5000, 50);

    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    // Published once the runner's first playlists arrived.
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await waitFor(async () => states.includes(1), 5000, 50);
    const details = await video(id);
    expect(details.isLive).toBe(true);
    const playlist = details.streamingPlaylists[0]!;
    expect(playlist.playlistUrl).toBe(`${server.url}/static/streaming-playlists/hls/${uuid}/master.m3u8`);
    expect(playlist.segmentsSha256Url).toBe(`${server.url}/static/streaming-playlists/hls/${uuid}/segments-sha256.json`);
    const master = await fetchText(playlist.playlistUrl);
    const variant = /^(\S+\.m3u8)$/m.exec(master)![1]!;
    const media = await fetchText(`${server.url}/static/streaming-playlists/hls/${uuid}/${variant}`);
    expect(media).toMatch(/#EXT-X-TARGETDURATION:\d/);
    const chunk = /^(\S+\.ts)$/m.exec(media)![1]!;
    const bytes = Buffer.from(await (await fetch(`${server.url}/static/streaming-playlists/hls/${uuid}/${chunk}`)).arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1000);
    const hashes = JSON.parse(await fetchText(playlist.segmentsSha256Url)) as Record<string, string>;
    expect(hashes[chunk]).toBe(createHash('sha256').update(bytes).digest('hex'));

    // A second publisher on the same key is refused while the first streams.
    const second = publish(`${live.rtmpUrl}/${live.streamKey}`);
    expect(await second.exited).not.toBe(0);
    expect(await stateOf(id)).toBe(1);

    // More segments keep coming.
    const firstCount = Object.keys(hashes).length;
    await waitFor(async () => Object.keys(JSON.parse(await fetchText(playlist.segmentsSha256Url))).length > firstCount, 15_000, 300);

    await publisher.stop();
    const stopped = Date.now();
    await waitFor(async () => (await stateOf(id)) === 5, 15_000, 50);
    // An ordinary live has no reconnect window: ended within a second of the publisher's quit.
    expect(Date.now() - stopped).toBeLessThan(1000);
    await waitFor(async () => states.at(-1) === 5, 5000, 50);
    expect(states).toEqual([1, 5]);
    const [session] = (await sessions(id)).data;
    expect(session).toMatchObject({ error: null, replayVideo: null });
    expect(session!.endDate).not.toBeNull();
    // No replay: the live's files are removed once the runner is done.
    await waitFor(async () => !existsSync(hlsDir(uuid)) || readdirSync(hlsDir(uuid)).length === 0, 30_000, 300);
    await waitFor(async () => (await sessions(id)).data[0]!.endingProcessed, 10_000, 200);
    // An ended live refuses a new publish.
    const late = publish(`${live.rtmpUrl}/${live.streamKey}`);
    expect(await late.exited).not.toBe(0);
    expect((await sessions(id)).total).toBe(1);
  }, 120_000);
});
