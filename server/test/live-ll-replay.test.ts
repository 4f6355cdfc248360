import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, pictureKind, Publisher, solidPng } from './helpers/live';
import { sleep, waitFor } from './helpers/runners';
import { freePort, TestServer } from './helpers/test-server';

const LOW_LATENCY = 100;
type Session = { id: number; startDate: string; endDate: string | null; error: number | null; replayVideo: { id: number; uuid: string } | null; endingProcessed: boolean };
type Probe = { format: { format_name: string; duration: string }; streams: Array<{ codec_type: string; codec_name: string }> };

/**
 * Replays of Flotilla's low-latency lives (packaged by the server, fragmented MP4 segments): a real
 * ffmpeg publisher, the server's own packager, the replay made from the stored segments, checked
 * with ffprobe and a full decode, then transcoded by the embedded runner like any replay.
 */
describe('low-latency live replays', () => {
  let server: TestServer;
  let root: ApiClient;
  let channelId: number;
  let scratch: string;
  const publishers: Publisher[] = [];
  const GRACE_MS = 3000;

  const publish = (url: string) => {
    const p = Publisher.start(url);
    publishers.push(p);
    return p;
  };
  const details = (id: number | string) => root.get<VideoDetails>(`/api/v1/videos/${id}`);
  const stateOf = async (id: number) => (await details(id)).state.id;
  const sessions = (id: number) => root.get<ResultList<Session>>(`/api/v1/videos/live/${id}/sessions`);
  const liveFolder = (uuid: string) => join(server.storage, 'streaming-playlists', 'hls', uuid);
  const storedSegments = async (uuid: string) => (await readdir(liveFolder(uuid)).catch(() => [] as string[])).filter((n) => /^seg-\d+\.m4s$/.test(n));

  /** Downloads the replay's file, probes it and decodes all of it (an undecodable frame fails). */
  const checkPlayable = async (fileUrl: string): Promise<number> => {
    const res = await fetch(fileUrl);
    expect(res.status).toBe(200);
    const path = join(scratch, `${Date.now()}.mp4`);
    await writeFile(path, Buffer.from(await res.arrayBuffer()));
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name', '-of', 'json', path]).toString(),
    ) as Probe;
    expect(probe.format.format_name).toContain('mp4');
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    const decodeErrors = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(decodeErrors).toBe('');
    return Number(probe.format.duration);
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'flotilla-ll-replay-'));
    server = await TestServer.start({
      live: {
        enabled: true,
        reconnect_grace: `${GRACE_MS / 1000} seconds`,
        rtmp: { port: await freePort(), hostname: '127.0.0.1' },
        // Remux: the publisher's H.264 (a keyframe a second) is packaged as is, 1 s segments.
        transcoding: { enabled: false },
      },
      runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 1 } },
      transcoding: { resolutions: { '240p': true, '360p': false } },
      rates_limit: { api: { max: 5000 } },
    });
    root = await server.login();
    channelId = (await root.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
  }, 90_000);

  afterAll(async () => {
    for (const p of publishers) await p.kill();
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('with saveReplay the live becomes a VOD playable at once from its fMP4 segments, then runners make its ladder', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Low-latency replay', latencyMode: LOW_LATENCY, saveReplay: true, replaySettings: { privacy: 1 } });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    const onAir = Date.now();
    // More segments (1 s each) than the live window keeps in memory (10): the replay reads them from disk.
    await sleep(12_000);
    await publisher.stop();
    const aired = (Date.now() - onAir) / 1000;
    const replay = await waitFor(async () => {
      const v = await details(id);
      return !v.isLive && v.files.length > 0 ? v : null;
    }, 40_000, 300);
    expect([1, 2]).toContain(replay.state.id);
    // From the first segment (made before the live went on air) to the publisher's stop.
    expect(replay.duration).toBeGreaterThanOrEqual(Math.floor(aired) - 1);
    expect(replay.duration).toBeLessThanOrEqual(Math.ceil(aired) + 4);
    const duration = await checkPlayable(replay.files[0]!.fileUrl);
    expect(Math.abs(duration - replay.duration)).toBeLessThanOrEqual(1);
    // The session points at its replay (the same video for a normal live).
    const [session] = (await sessions(id)).data;
    expect(session).toMatchObject({ error: null, endingProcessed: true, replayVideo: { id, uuid } });
    // Runners make its HLS ladder, as for any replay.
    const done = await waitFor(async () => {
      const v = await details(id);
      return v.state.id === 1 && v.streamingPlaylists[0]?.files.length ? v : null;
    }, 90_000, 500);
    expect(done.streamingPlaylists[0]!.files.map((f) => f.resolution.id)).toContain(240);
  }, 180_000);

  it('a permanent live with saveReplay and a reconnect: a new replay video with the live’s attributes and uploaded picture, the replay privacy, holding both encoder runs', async () => {
    const attributes = {
      description: 'Every **morning**',
      support: 'Support the show',
      tags: ['morning', 'radio'],
      category: 15,
      licence: 2,
      language: 'fr',
      nsfw: true,
      commentsPolicy: 2,
      downloadEnabled: false,
    };
    const { id, live } = await createLive(root, channelId, {
      name: 'Always low',
      latencyMode: LOW_LATENCY,
      permanentLive: true,
      saveReplay: true,
      replaySettings: { privacy: 2 },
      ...attributes,
    });
    // The owner's own miniature (PUT on the live); its preview stays the server's placeholder.
    const picture = new FormData();
    picture.append('thumbnailfile', new Blob([await solidPng('#ff0000')], { type: 'image/png' }), 'thumb.png');
    await root.request('PUT', `/api/v1/videos/${id}`, { body: picture });
    const url = `${live.rtmpUrl}/${live.streamKey}`;
    const first = publish(url);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    const firstOnAir = Date.now();
    await sleep(4000);
    await first.kill();
    const firstAired = (Date.now() - firstOnAir) / 1000;
    await sleep(500);
    // Within the reconnect window: the same session, a new encoder run (its own init segment).
    const second = publish(url);
    await waitFor(async () => (await sessions(id)).total === 1 && (await stateOf(id)) === 1, 10_000, 200);
    await sleep(4000);
    await second.stop();
    const session = await waitFor(async () => {
      const s = (await sessions(id)).data[0]!;
      return s.endingProcessed ? s : null;
    }, 40_000, 300);
    expect((await sessions(id)).total).toBe(1);
    expect(session.replayVideo).not.toBeNull();
    expect(session.replayVideo!.id).not.toBe(id);
    const replay = await details(session.replayVideo!.uuid);
    expect(replay.isLive).toBe(false);
    expect(replay.privacy.id).toBe(2);
    // PeerTube's name: the live's, then the session's start.
    expect(replay.name).toBe(`Always low - ${session.startDate.slice(0, 16).replace('T', ' ')}`);
    const liveVideo = await details(id);
    expect(replay).toMatchObject({
      description: attributes.description,
      support: attributes.support,
      tags: attributes.tags,
      category: { id: 15 },
      licence: { id: 2 },
      language: { id: 'fr' },
      nsfw: true,
      commentsPolicy: { id: 2 },
      commentsEnabled: false,
      downloadEnabled: false,
      waitTranscoding: liveVideo.waitTranscoding,
      channel: { id: channelId },
    });
    // The uploaded miniature is copied (a file of its own); the placeholder preview is replaced by a frame.
    expect(replay.thumbnailPath).not.toBe(liveVideo.thumbnailPath);
    expect(await pictureKind(server.url + replay.thumbnailPath)).toBe('red');
    expect(await pictureKind(server.url + liveVideo.previewPath)).toBe('dark');
    expect(await pictureKind(server.url + replay.previewPath)).toBe('frame');
    expect(replay.files.length).toBeGreaterThan(0);
    // Both runs: more than the first one alone held.
    expect(replay.duration).toBeGreaterThanOrEqual(Math.floor(firstAired) + 3);
    await checkPlayable(replay.files[0]!.fileUrl);
    // The permanent live waits for its next publish.
    const after = await details(id);
    expect(after.isLive).toBe(true);
    expect(after.state.id).toBe(4);
  }, 180_000);

  it('without saveReplay the stored segments are removed at the end', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Low latency, no replay', latencyMode: LOW_LATENCY });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await waitFor(async () => (await storedSegments(uuid)).length >= 2, 20_000, 200);
    await publisher.stop();
    await waitFor(async () => (await sessions(id)).data[0]?.endingProcessed, 40_000, 300);
    const v = await details(id);
    expect(v.state.id).toBe(5);
    expect(v.files).toEqual([]);
    expect((await sessions(id)).data[0]!.replayVideo).toBeNull();
    expect(existsSync(liveFolder(uuid))).toBe(false);
  }, 120_000);
});
