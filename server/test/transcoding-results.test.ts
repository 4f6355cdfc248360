import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swarmInfoHashesFromMaster, type User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { downloadInput, makeHlsRendition, postHlsSuccess, RunnerSide, waitFor } from './helpers/runners';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

type Job = { uuid: string; type: string; priority: number; state: { id: number }; error: string | null; payload: { input: { videoFileUrl: string }; output: { resolution: number; fps: number; streamCopy?: boolean } }; privatePayload: { videoUUID: string } };

describe('transcoding decisions and results (test acts as the runner)', () => {
  let server: TestServer;
  let admin: ApiClient;
  let dir: string;
  let clip: string;
  let channelId: number;
  let a: RunnerSide;
  let b: RunnerSide;

  const jobsOf = async (videoUUID: string) =>
    (await admin.get<{ data: Job[] }>('/api/v1/runners/jobs', { search: videoUUID, count: 100, sort: 'createdAt' })).data;
  const video = (id: string) => admin.get<{ state: { id: number }; streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: { resolution: { id: number } }[] }[]; files: unknown[] }>(`/api/v1/videos/${id}`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-transcoding-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 6, size: '640x360' });
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, keep_original: true, resolutions: { '240p': true, '360p': true, '480p': true, '720p': false, '1080p': false } },
      runners: { max_failures: 2 },
    });
    admin = await server.login();
    channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    a = await RunnerSide.register(server, admin, 'runner-a');
    b = await RunnerSide.register(server, admin, 'runner-b');
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('queues one HLS job per rung not above the input, all pending, the remuxable one first', async () => {
    const { video: v } = await legacyUpload(admin, clip, { name: 'ladder', channelId: String(channelId) });
    const jobs = await waitFor(async () => {
      const list = await jobsOf(v.uuid);
      return list.length === 2 ? list : null;
    });
    expect(jobs.every((j) => j.type === 'vod-hls-transcoding' && j.state.id === 1)).toBe(true);
    const byRes = Object.fromEntries(jobs.map((j) => [j.payload.output.resolution, j]));
    expect(Object.keys(byRes).sort()).toEqual(['240', '360']);
    // H.264/AAC 360p input: the 360p rung is a remux, and it goes first.
    expect(byRes[360].payload.output.streamCopy).toBe(true);
    expect(byRes[240].payload.output.streamCopy).toBe(false);
    expect(byRes[360].priority).toBeLessThan(byRes[240].priority);
    expect(byRes[240].payload.output.fps).toBe(25);
    expect(byRes[360].payload.input.videoFileUrl).toBe(`${server.url}/api/v1/runners/jobs/${byRes[360].uuid}/files/videos/${v.uuid}/max-quality`);
    const { availableJobs } = await a.request();
    expect(availableJobs[0].uuid).toBe(byRes[360].uuid);
    expect((await video(v.uuid)).state.id).toBe(2);
    // No rung is queued twice while one is unfinished.
    await expect(
      server.sql(`INSERT INTO runner_job (uuid, type, payload, private_payload, state, priority, video_uuid, resolution)
                  VALUES (gen_random_uuid(), 'vod-hls-transcoding', '{}', '{}', 1, 100, $1, 240)`, [v.uuid]),
    ).rejects.toThrow(/runner_job_one_per_rung/);
  });

  it('stores renditions sent in parallel, publishes after the first, keeps master and hashes in step', async () => {
    const { video: v } = await legacyUpload(admin, clip, { name: 'parallel', channelId: String(channelId) });
    const jobs = await waitFor(async () => ((await jobsOf(v.uuid)).length === 2 ? jobsOf(v.uuid) : null));
    const j360 = jobs.find((j) => j.payload.output.resolution === 360)!;
    const j240 = jobs.find((j) => j.payload.output.resolution === 240)!;
    const h360 = await a.accept(j360.uuid);
    const h240 = await b.accept(j240.uuid);

    // Inputs: the holder gets the original's bytes.
    const input = await downloadInput(a, j360.payload.input.videoFileUrl, h360.jobToken);
    expect(input.equals(readFileSync(clip))).toBe(true);
    await expectProblem(downloadInput(b, j360.payload.input.videoFileUrl, h240.jobToken), 400, 'runner_job_not_in_processing_state');
    // A runner holding a copy from an earlier job of this video revalidates it instead of downloading again.
    const conditional = (jobUrl: string, jobToken: string, etag: string) =>
      fetch(jobUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'if-none-match': etag, 'cache-control': 'max-age=0' }, body: JSON.stringify({ runnerToken: b.runnerToken, jobToken }) });
    const first = await fetch(j240.payload.input.videoFileUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ runnerToken: b.runnerToken, jobToken: h240.jobToken }) });
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    await first.arrayBuffer();
    const again = await conditional(j240.payload.input.videoFileUrl, h240.jobToken, etag);
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    expect((await conditional(j240.payload.input.videoFileUrl, h240.jobToken, 'W/"stale"')).status).toBe(200);
    // The token checks come first: no 304 for a job the caller does not hold.
    await expectProblem(conditional(j360.payload.input.videoFileUrl, h240.jobToken, etag).then(async (r) => {
      if (r.status === 200) return r;
      const problem = (await r.json()) as { code?: string };
      throw Object.assign(new Error(`answered ${r.status}`), { status: r.status, code: problem.code, problem, headers: r.headers });
    }), 400, 'runner_job_not_in_processing_state');
    const inputFile = join(dir, `in-${v.uuid}.mp4`);
    await writeFile(inputFile, input);

    const out360 = await mkdtemp(join(dir, 'o360-'));
    const out240 = await mkdtemp(join(dir, 'o240-'));
    const r360 = await makeHlsRendition(inputFile, out360, { resolution: 360, fps: 25, copy: true });
    const r240 = await makeHlsRendition(inputFile, out240, { resolution: 240, fps: 25 });
    await Promise.all([postHlsSuccess(a, j360.uuid, h360.jobToken, r360), postHlsSuccess(b, j240.uuid, h240.jobToken, r240)]);

    const details = await video(v.uuid);
    expect(details.state.id).toBe(1);
    const playlist = details.streamingPlaylists[0];
    expect(playlist.files.map((f) => f.resolution.id).sort()).toEqual([240, 360]);
    // A list page (plain rows, its one-to-many parts attached by hand) shows the same renditions.
    const listed = (await admin.get<{ data: { uuid: string; files?: unknown[]; streamingPlaylists?: unknown[] }[] }>('/api/v1/videos', { include: 8, count: 100 })).data.find((x) => x.uuid === v.uuid);
    expect(listed?.streamingPlaylists).toEqual(details.streamingPlaylists);
    expect(listed?.files).toEqual(details.files);

    const hlsDir = join(server.storage, 'streaming-playlists', 'hls', v.uuid);
    const names = await readdir(hlsDir);
    expect(names.filter((n) => n.endsWith('-master.m3u8'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('-segments-sha256.json'))).toHaveLength(1);
    expect(names.filter((n) => /^[0-9a-f-]{36}-(240|360)-fragmented\.mp4$/.test(n))).toHaveLength(2);
    expect(names.filter((n) => /^[0-9a-f-]{36}-(240|360)\.m3u8$/.test(n))).toHaveLength(2);
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);

    const master = await (await fetch(playlist.playlistUrl)).text();
    const variants = master.split('\n').filter((l) => l.endsWith('.m3u8'));
    expect(variants).toHaveLength(2);
    expect(variants[0]).toMatch(/-360\.m3u8$/);
    expect(master).toMatch(/RESOLUTION=640x360/);
    expect(master).toMatch(/CODECS="avc1\.[0-9A-F]{6},mp4a\.40\.2"/);
    // The tracker admits exactly the swarms viewers of this master announce.
    const [row] = await server.sql<{ hashes: string[]; uuid: string }>(
      'SELECT p.p2p_media_loader_info_hashes AS hashes, v.uuid FROM video_streaming_playlist p JOIN video v ON v.id = p.video_id',
    );
    expect(row.hashes).toEqual(swarmInfoHashesFromMaster(row.uuid, master));
    expect(row.hashes).toHaveLength(2);

    // Every byte-range segment hashed under PeerTube's key, and the hashes are right.
    const hashes = (await (await fetch(playlist.segmentsSha256Url)).json()) as Record<string, Record<string, string>>;
    expect(Object.keys(hashes).sort()).toEqual(names.filter((n) => n.endsWith('-fragmented.mp4')).sort());
    for (const [file, ranges] of Object.entries(hashes)) {
      const bytes = readFileSync(join(hlsDir, file));
      const media = readFileSync(join(hlsDir, file.replace('-fragmented.mp4', '.m3u8')), 'utf8');
      expect(media).toContain(`#EXT-X-MAP:URI="${file}"`);
      const segs = [...media.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)/g)];
      expect(Object.keys(ranges)).toHaveLength(segs.length);
      for (const m of segs) {
        const [len, off] = [Number(m[1]), Number(m[2])];
        expect(ranges[`${off}-${off + len - 1}`]).toBe(createHash('sha256').update(bytes.subarray(off, off + len)).digest('hex'));
      }
    }
    const states = (await jobsOf(v.uuid)).map((j) => j.state.id);
    expect(states).toEqual([3, 3]);
    // The runner's temporary names never reach the video folder.
    expect(names.some((n) => n === r360.videoFileName || n === r240.videoFileName)).toBe(false);
    expect(await readdir(join(server.storage, 'tmp', 'runner-uploads'))).toEqual([]);
  });

  it('refuses a playlist that points elsewhere, errors the job, keeps the folder clean', async () => {
    const { video: v } = await legacyUpload(admin, clip, { name: 'evil playlist', channelId: String(channelId) });
    const jobs = await waitFor(async () => ((await jobsOf(v.uuid)).length === 2 ? jobsOf(v.uuid) : null));
    const j = jobs.find((x) => x.payload.output.resolution === 240)!;
    const held = await a.accept(j.uuid);
    const out = await mkdtemp(join(dir, 'evil-'));
    const r = await makeHlsRendition(clip, out, { resolution: 240, fps: 25 });
    const text = readFileSync(r.playlistFile, 'utf8').replace(new RegExp(`\n${r.videoFileName}`, 'g'), '\n../../../etc/passwd');
    await writeFile(r.playlistFile, text);
    await postHlsSuccess(a, j.uuid, held.jobToken, r);
    const after = (await jobsOf(v.uuid)).find((x) => x.uuid === j.uuid)!;
    expect(after.state.id).toBe(4);
    expect(after.error).toMatch(/not the uploaded file/);
    expect(existsSync(join(server.storage, 'streaming-playlists', 'hls', v.uuid)) ? await readdir(join(server.storage, 'streaming-playlists', 'hls', v.uuid)) : []).toEqual([]);
    expect((await video(v.uuid)).state.id).toBe(7);
  });

  it('retries a failing job up to the limit, then shows the video as failed with the message', async () => {
    const { video: v } = await legacyUpload(admin, clip, { name: 'doomed', channelId: String(channelId) });
    const jobs = await waitFor(async () => ((await jobsOf(v.uuid)).length === 2 ? jobsOf(v.uuid) : null));
    const j = jobs.find((x) => x.payload.output.resolution === 240)!;
    for (let i = 0; i < 2; i++) {
      const held = await a.accept(j.uuid);
      await a.post(`/jobs/${j.uuid}/error`, { jobToken: held.jobToken, message: `ffmpeg exited with code 1: Invalid data found (${i})` });
    }
    const failed = (await jobsOf(v.uuid)).find((x) => x.uuid === j.uuid)!;
    expect(failed.state.id).toBe(4);
    expect(failed.error).toBe('ffmpeg exited with code 1: Invalid data found (1)');
    const shown = (await admin.get<{ state: { id: number }; transcodingError: string }>(`/api/v1/videos/${v.uuid}`));
    expect(shown.state.id).toBe(7);
    // The owner sees why; anonymous viewers do not (the video is not watchable for them anyway).
    expect(shown.transcodingError).toMatch(/Invalid data found \(1\)/);
  });

  it('drops a deleted video’s jobs', async () => {
    const { video: v } = await legacyUpload(admin, clip, { name: 'deleted', channelId: String(channelId) });
    await waitFor(async () => ((await jobsOf(v.uuid)).length === 2 ? true : null));
    await admin.request('DELETE', `/api/v1/videos/${v.uuid}`);
    await waitFor(async () => ((await jobsOf(v.uuid)).length === 0 ? true : null));
  });
});

describe('transcoding without keeping the original', () => {
  let server: TestServer;
  let admin: ApiClient;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-transcoding-ko-'));
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, keep_original: false, resolutions: { '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false } },
    });
    admin = await server.login();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the original once every rung is in', async () => {
    const clip = makeClip(dir, 'clip.mp4', { seconds: 4, size: '426x240' });
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video: v } = await legacyUpload(admin, clip, { name: 'no original', channelId: String(channelId) });
    const runner = await RunnerSide.register(server, admin, 'solo');
    const job = await waitFor(async () => (await runner.request()).availableJobs[0]);
    const held = await runner.accept(job.uuid);
    const input = join(dir, 'in.mp4');
    await writeFile(input, await downloadInput(runner, (job.payload as { input: { videoFileUrl: string } }).input.videoFileUrl, held.jobToken));
    const r = await makeHlsRendition(input, await mkdtemp(join(dir, 'o-')), { resolution: 240, fps: 25, copy: true });
    const before = await readdir(join(server.storage, 'web-videos'));
    expect(before).toHaveLength(1);
    await postHlsSuccess(runner, job.uuid, held.jobToken, r);
    const details = await admin.get<{ state: { id: number }; files: unknown[]; streamingPlaylists: { files: unknown[] }[] }>(`/api/v1/videos/${v.uuid}`);
    expect(details.state.id).toBe(1);
    expect(details.files).toEqual([]);
    expect(details.streamingPlaylists[0].files).toHaveLength(1);
    expect(await readdir(join(server.storage, 'web-videos'))).toEqual([]);
  });
});
