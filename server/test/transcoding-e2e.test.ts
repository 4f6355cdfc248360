import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { newRegistrationToken, waitFor } from './helpers/runners';
import { REPO_ROOT, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

type Job = { uuid: string; state: { id: number }; runner: { name: string } | null; payload: { output: { resolution: number } } };
type Details = {
  state: { id: number };
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: { resolution: { id: number } }[] }[];
};

/** A real `flotilla-runner server` process, registered with the given token. */
class RunnerProcess {
  output = '';
  private constructor(readonly proc: ChildProcess) {}

  static async start(server: TestServer, admin: ApiClient, name: string, dir: string): Promise<RunnerProcess> {
    const token = await newRegistrationToken(admin);
    const home = await mkdtemp(join(dir, `${name}-`));
    const proc = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'runner/dist/cli.js'), '--id', name, '--config-dir', join(home, 'config'), 'server',
        '--url', server.url, '--registration-token', token, '--runner-name', name,
        '--work-dir', join(home, 'work'), '--ui', 'log', '--concurrency', '1', '--ffmpeg-threads', '2', '--ffmpeg-nice', '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = new RunnerProcess(proc);
    const collect = (c: Buffer) => (r.output = (r.output + c.toString()).slice(-50_000));
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    return r;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill(signal);
    });
  }
}

async function checkPublishedHls(server: TestServer, admin: ApiClient, uuid: string, rungs: number[]): Promise<void> {
  const details = await admin.get<Details>(`/api/v1/videos/${uuid}`);
  expect(details.state.id).toBe(1);
  const playlist = details.streamingPlaylists[0];
  expect(playlist.files.map((f) => f.resolution.id).sort((a, b) => b - a)).toEqual(rungs);
  const master = await (await fetch(playlist.playlistUrl)).text();
  const variants = master.split('\n').filter((l) => l.endsWith('.m3u8'));
  expect(variants.map((v) => Number(/-(\d+)\.m3u8$/.exec(v)![1]))).toEqual(rungs);
  const hashes = (await (await fetch(playlist.segmentsSha256Url)).json()) as Record<string, Record<string, string>>;
  const base = playlist.playlistUrl.slice(0, playlist.playlistUrl.lastIndexOf('/') + 1);
  for (const variant of variants) {
    const media = await (await fetch(base + variant)).text();
    const file = /#EXT-X-MAP:URI="([^"]+)"/.exec(media)![1];
    const bytes = Buffer.from(await (await fetch(base + file)).arrayBuffer());
    const segs = [...media.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)/g)];
    expect(segs.length).toBeGreaterThan(1);
    for (const m of segs) {
      const [len, off] = [Number(m[1]), Number(m[2])];
      expect(hashes[file][`${off}-${off + len - 1}`]).toBe(createHash('sha256').update(bytes.subarray(off, off + len)).digest('hex'));
    }
  }
}

describe('end to end: real runners, real ffmpeg', () => {
  let server: TestServer;
  let admin: ApiClient;
  let dir: string;
  let clip: string;
  let channelId: number;
  const runners: RunnerProcess[] = [];

  const jobsOf = async (uuid: string) => (await admin.get<{ data: Job[] }>('/api/v1/runners/jobs', { search: uuid, count: 50 })).data;
  const upload = async (name: string) => (await legacyUpload(admin, clip, { name, channelId: String(channelId) })).video;
  const waitPublished = (uuid: string, timeoutMs: number) =>
    waitFor(async () => {
      const jobs = await jobsOf(uuid);
      return jobs.length > 0 && jobs.every((j) => j.state.id === 3) ? jobs : null;
    }, timeoutMs, 500);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'));
    clip = makeClip(dir, 'clip-720p.mp4', { seconds: 20, size: '1280x720' });
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, keep_original: true, resolutions: { '240p': true, '360p': true, '480p': false, '720p': false, '1080p': false } },
      // Above the runner's 8 s heartbeat, short enough for a killed runner's job to come back soon.
      runners: { stalled_jobs: { vod: '15 seconds', live: '15 seconds' } },
    });
    admin = await server.login();
    channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
  }, 120_000);
  afterAll(async () => {
    for (const r of runners) await r.kill('SIGKILL');
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output, runners.map((r) => r.output).join('\n----\n'));
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a 20 s 720p upload is published with every enabled rung and matching segment hashes', async () => {
    runners.push(await RunnerProcess.start(server, admin, 'e2e-a', dir));
    const v = await upload('e2e');
    await waitPublished(v.uuid, 90_000);
    await checkPublishedHls(server, admin, v.uuid, [360, 240]);
    // One download for the video's two jobs: the second revalidated the first one's copy.
    expect(runners[0].output).toMatch(/input-video: reusing the copy downloaded for an earlier job/);
  }, 120_000);

  it('a runner SIGKILLed mid-job: its job comes back and a second runner finishes the video', async () => {
    const v = await upload('killed runner');
    const taken = await waitFor(async () => (await jobsOf(v.uuid)).find((j) => j.state.id === 2 && j.runner?.name === 'e2e-a'), 30_000, 100);
    await runners[0].kill('SIGKILL');
    // The stall sweep takes it back: pending again, held by nobody (no runner is left to take it).
    await waitFor(async () => {
      const j = (await jobsOf(v.uuid)).find((x) => x.uuid === taken.uuid)!;
      return j.state.id === 1 && !j.runner;
    }, 40_000, 250);
    runners.push(await RunnerProcess.start(server, admin, 'e2e-b', dir));
    const jobs = await waitPublished(v.uuid, 120_000);
    const done = jobs.find((j) => j.uuid === taken.uuid)!;
    expect(done.state.id).toBe(3);
    expect(done.runner?.name).toBe('e2e-b');
    await checkPublishedHls(server, admin, v.uuid, [360, 240]);
  }, 150_000);

  it('the server restarted mid-job still accepts the runner’s later success', async () => {
    const v = await upload('server restart');
    const held = await waitFor(async () => (await jobsOf(v.uuid)).find((j) => j.state.id === 2), 30_000, 100);
    const startedAt = async () => (await server.sql<{ started_at: Date }>('SELECT started_at FROM runner_job WHERE uuid = $1', [held.uuid]))[0].started_at;
    const before = await startedAt();
    await server.restart();
    const [{ now: restartedAt }] = await server.sql<{ now: Date }>('SELECT now()');
    await waitPublished(v.uuid, 120_000);
    // The success arrived after the restart (database clock on both sides).
    const [{ finished_at: finishedAt }] = await server.sql<{ finished_at: Date }>('SELECT finished_at FROM runner_job WHERE uuid = $1', [held.uuid]);
    expect(finishedAt.getTime()).toBeGreaterThan(restartedAt.getTime());
    await checkPublishedHls(server, admin, v.uuid, [360, 240]);
    // The job in flight was never taken back and accepted again: the first run's result was kept.
    expect((await startedAt()).getTime()).toBe(before.getTime());
    expect((await jobsOf(v.uuid)).length).toBe(2);
  }, 150_000);
});

describe('embedded runner', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-embedded-'));
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, resolutions: { '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false } },
      runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 2, ffmpeg_nice: 0 } },
      // The child's pid is read from the server's log.
      log: { level: 'info' },
    });
  }, 120_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('transcodes with no runner of its own, restarts its child when it dies', async () => {
    const admin = await server.login();
    const runners = await waitFor(async () => {
      const list = await admin.get<{ data: { name: string; ip: string }[] }>('/api/v1/runners');
      return list.data.length ? list.data : null;
    });
    expect(runners.map((r) => r.name)).toEqual(['embedded']);
    const clip = makeClip(dir, 'clip.mp4', { seconds: 9, size: '640x360' });
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const v = (await legacyUpload(admin, clip, { name: 'embedded', channelId: String(channelId) })).video;
    await waitFor(async () => (await admin.get<Details>(`/api/v1/videos/${v.uuid}`)).state.id === 1, 60_000, 500);
    await checkPublishedHls(server, admin, v.uuid, [240]);

    // Kill the child: the server starts another one, which works too.
    const pid = Number(/"runnerPid":(\d+)[^\n]*embedded runner started/.exec(server.output)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (server.output.match(/embedded runner started/g) ?? []).length >= 2, 20_000);
    const w = (await legacyUpload(admin, clip, { name: 'embedded again', channelId: String(channelId) })).video;
    await waitFor(async () => (await admin.get<Details>(`/api/v1/videos/${w.uuid}`)).state.id === 1, 60_000, 500);

    // Even a SIGKILLed server does not leave its runner behind.
    const pids = [...server.output.matchAll(/"runnerPid":(\d+)/g)].map((m) => Number(m[1]));
    const current = pids[pids.length - 1];
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(current)).toBe(true);
    await server.kill('SIGKILL');
    await waitFor(async () => !alive(current), 15_000, 200);
  }, 150_000);
});

describe('embedded runner: audio uploads and web videos', () => {
  let server: TestServer;
  let admin: ApiClient;
  let dir: string;
  let channelId: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-embedded-web-'));
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, web_videos: { enabled: true }, resolutions: { '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false } },
      // Every success is answered before its result is stored (as a slow, large one would be): the
      // uploaded files must stay until the storing is done, for each kind of job.
      runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 2, ffmpeg_nice: 0 }, success_max_wait: '0 ms' },
    });
    admin = await server.login();
    channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
  }, 120_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  type Files = Details & { files: { resolution: { id: number } }[] };

  it('an audio upload becomes a still-image video, then its HLS rung', async () => {
    const mp3 = makeClip(dir, 'song.mp3', { seconds: 9, audioOnly: true });
    const v = (await legacyUpload(admin, mp3, { name: 'song', channelId: String(channelId) }, 'audio/mpeg')).video;
    const jobs = await waitFor(async () => {
      const list = await admin.get<{ data: { type: string; parent?: { type: string } }[] }>('/api/v1/runners/jobs', { search: v.uuid });
      return list.data.length === 2 ? list : null;
    });
    expect(jobs.data.map((j) => j.type).sort()).toEqual(['vod-audio-merge-transcoding', 'vod-hls-transcoding']);
    expect(jobs.data.find((j) => j.type === 'vod-hls-transcoding')!.parent?.type).toBe('vod-audio-merge-transcoding');
    await waitFor(async () => {
      const d = await admin.get<Files>(`/api/v1/videos/${v.uuid}`);
      return d.state.id === 1 && d.streamingPlaylists[0]?.files.length === 1 ? d : null;
    }, 90_000, 500);
    await checkPublishedHls(server, admin, v.uuid, [240]);
    const d = await admin.get<Files>(`/api/v1/videos/${v.uuid}`);
    expect(d.files.map((f) => f.resolution.id)).toContain(480);
  }, 120_000);

  it('makes web videos beside HLS when web_videos is enabled', async () => {
    const clip = makeClip(dir, 'clip.mp4', { seconds: 9, size: '640x360' });
    const v = (await legacyUpload(admin, clip, { name: 'web', channelId: String(channelId) })).video;
    await waitFor(async () => {
      const jobs = (await admin.get<{ data: { state: { id: number } }[] }>('/api/v1/runners/jobs', { search: v.uuid })).data;
      return jobs.length === 2 && jobs.every((j) => j.state.id === 3) ? jobs : null;
    }, 90_000, 500);
    const d = await admin.get<Files>(`/api/v1/videos/${v.uuid}`);
    expect(d.state.id).toBe(1);
    // The original (360p, kept) and the 240p web video.
    expect(d.files.map((f) => f.resolution.id).sort()).toEqual([240, 360]);
    await checkPublishedHls(server, admin, v.uuid, [240]);
  }, 120_000);
});
