import { tempDir } from './helpers/tmp';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRunnerConfig, registerRunner, startRunnerDaemon, type RunnerDaemonHandle } from '../src/index';
import { FakeRunnerServer, waitFor } from './helpers/fake-runner-server';
import { makeMedia, probeJson } from './helpers/media';
import { ffmpegChildren } from './helpers/processes';

/**
 * The daemon against a stand-in server, with the real ffmpeg: the runner's own logic (wake-ups,
 * concurrency, uploads, retries, aborts, cleanup). End-to-end runs against the real server live
 * with the server's tests.
 */
let media: ReturnType<typeof makeMedia>;
let server: FakeRunnerServer;
let handle: RunnerDaemonHandle | null = null;

beforeAll(() => {
  media = makeMedia();
});

afterEach(async () => {
  await handle?.stop('test over');
  handle = null;
  await server?.close();
});

async function setup(options: { socket?: boolean; concurrency?: number; pollIntervalMs?: number; retryMaxElapsedMs?: number; ffmpeg?: Record<string, unknown> } = {}) {
  server = await new FakeRunnerServer().start({ socket: options.socket });
  const root = tempDir('flotilla-runner-test-');
  const configDir = join(root, 'config');
  const workDir = join(root, 'work');
  const configFile = join(configDir, 'config.toml');
  await registerRunner({ configFile, url: server.url, registrationToken: server.registrationToken, runnerName: 'test-runner' });
  if (options.concurrency || options.ffmpeg) {
    const config = parse(readFileSync(configFile, 'utf8')) as { jobs?: Record<string, unknown>; ffmpeg?: Record<string, unknown> };
    if (options.concurrency) config.jobs = { ...config.jobs, concurrency: options.concurrency };
    if (options.ffmpeg) config.ffmpeg = { ...config.ffmpeg, ...options.ffmpeg };
    writeFileSync(configFile, stringify(config));
  }
  const start = () =>
    startRunnerDaemon({
      configDir, workDir, ui: 'silent', progressIntervalMs: 150,
      pollIntervalMs: options.pollIntervalMs ?? 60_000, retryMaxElapsedMs: options.retryMaxElapsedMs ?? 20_000,
    });
  return { configFile, workDir, start };
}

const hlsOutput = (resolution: number, fps = 30) => ({ resolution, fps, separatedAudio: false });

describe('runner daemon', () => {
  it('wakes on available-jobs, remuxes and encodes HLS rungs, uploads both files and cleans up', async () => {
    const { start, workDir } = await setup();
    handle = await start();
    await waitFor(() => server.connectedRunners() === 1, 10_000, 'socket connection');
    const copyJob = server.addJob('vod-hls-transcoding', hlsOutput(720), { videoFileUrl: media.h264 });
    const encodeJob = server.addJob('vod-hls-transcoding', hlsOutput(240), { videoFileUrl: media.h264 });
    server.ping();
    await waitFor(() => copyJob.state === 'completed' && encodeJob.state === 'completed', 30_000, 'both jobs');

    for (const job of [copyJob, encodeJob]) {
      const files = job.success!.files;
      expect(Object.keys(files).sort()).toEqual(['payload[resolutionPlaylistFile]', 'payload[videoFile]']);
      const playlist = files['payload[resolutionPlaylistFile]']!.content.toString();
      const videoName = files['payload[videoFile]']!.name;
      expect(videoName).toMatch(/^[0-9a-f-]{36}-\d+-fragmented\.mp4$/);
      expect(playlist).toContain(`#EXT-X-MAP:URI="${videoName}"`);
      expect(playlist).toContain('#EXT-X-BYTERANGE');
      expect(job.success!.fields).toMatchObject({ runnerToken: expect.any(String), jobToken: job.jobToken });
      expect(job.updates.length).toBeGreaterThan(0);
    }
    const encoded = join(workDir, 'check-240.mp4');
    writeFileSync(encoded, encodeJob.success!.files['payload[videoFile]']!.content);
    expect(probeJson(encoded).streams.find((s) => s.codec_type === 'video')).toMatchObject({ height: 240 });
    // Encoded rungs cut exactly every 4 s.
    const extinf = encodeJob.success!.files['payload[resolutionPlaylistFile]']!.content.toString().match(/#EXTINF:([\d.]+)/g)!;
    expect(extinf[0]).toBe('#EXTINF:4.000000');
    await waitFor(() => readdirSync(workDir).filter((f) => f.startsWith('job-')).length === 0, 5000, 'workspace cleanup');
  });

  it('makes web videos and audio merges', async () => {
    const { start } = await setup();
    handle = await start();
    const web = server.addJob('vod-web-video-transcoding', { resolution: 360, fps: 30 }, { videoFileUrl: media.h264 });
    const merge = server.addJob('vod-audio-merge-transcoding', { resolution: 480, fps: 25 }, { audioFileUrl: media.audio, previewFileUrl: media.image });
    server.ping();
    await waitFor(() => web.state === 'completed' && merge.state === 'completed', 30_000, 'jobs');
    const out = join(media.dir, 'merge-out.mp4');
    writeFileSync(out, merge.success!.files['payload[videoFile]']!.content);
    const probe = probeJson(out);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeLessThan(4.5);
  });

  it('sends error with the ffmpeg reason when the input is not a video', async () => {
    const { start, workDir } = await setup();
    handle = await start();
    const job = server.addJob('vod-hls-transcoding', hlsOutput(480), { videoFileUrl: media.broken });
    server.ping();
    await waitFor(() => job.state === 'errored', 15_000, 'error report');
    expect(job.errors[0]).toMatch(/ffprobe/);
    await waitFor(() => readdirSync(workDir).filter((f) => f.startsWith('job-')).length === 0, 5000, 'workspace cleanup');
  });

  it('aborts in-flight jobs with a reason on stop and leaves no temp folder', async () => {
    const { start, workDir } = await setup();
    handle = await start();
    const job = server.addJob('vod-hls-transcoding', hlsOutput(360), { videoFileUrl: media.long });
    server.ping();
    await waitFor(() => job.updates.some((p) => p > 0), 20_000, 'transcoding progress');
    expect(ffmpegChildren()).toHaveLength(1);
    await handle.stop('Runner stopped (SIGTERM)');
    handle = null;
    expect(job.aborts).toEqual(['Runner stopped (SIGTERM)']);
    expect(job.state).toBe('pending');
    expect(ffmpegChildren()).toEqual([]);
    expect(readdirSync(workDir).filter((f) => f.startsWith('job-'))).toEqual([]);
  });

  it('kills ffmpeg when the server cancels the running job, and reports nothing', async () => {
    const { start, workDir } = await setup();
    handle = await start();
    const job = server.addJob('vod-hls-transcoding', hlsOutput(360), { videoFileUrl: media.long });
    server.ping();
    await waitFor(() => job.updates.some((p) => p > 0), 20_000, 'transcoding progress');
    const [pid] = ffmpegChildren();
    expect(pid).toBeDefined();
    server.cancel(job);
    await waitFor(() => ffmpegChildren().length === 0, 5000, 'ffmpeg gone');
    await waitFor(() => readdirSync(workDir).filter((f) => f.startsWith('job-')).length === 0, 5000, 'workspace cleanup');
    expect(job.aborts).toEqual([]);
    expect(job.errors).toEqual([]);
    expect(job.success).toBeUndefined();
  });

  it('kills an ffmpeg that makes no progress for ffmpeg.progressTimeout while heartbeats go on, and errors the job', async () => {
    // A hung ffmpeg: capability checks and probes work, the transcoding run never writes progress.
    const dir = tempDir('flotilla-hung-ffmpeg-');
    const pidFile = join(dir, 'pid');
    const wrapper = join(dir, 'ffmpeg');
    writeFileSync(wrapper, `#!/bin/sh\ncase " $* " in *" -progress "*) echo $$ > ${pidFile}; exec sleep 3600;; esac\nexec ffmpeg "$@"\n`, { mode: 0o755 });
    const { start, workDir } = await setup({ ffmpeg: { ffmpegPath: wrapper, progressTimeout: 2, nice: 0 } });
    handle = await start();
    const job = server.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
    server.ping();
    await waitFor(() => existsSync(pidFile), 15_000, 'the hung ffmpeg started');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const hungAt = Date.now();
    const heartbeatsBefore = job.updates.length;
    await waitFor(() => job.state === 'errored', 10_000, 'error report');
    expect(Date.now() - hungAt).toBeGreaterThanOrEqual(1900);
    // The runner was alive all along (it kept the job with heartbeats): only progress was missing.
    expect(job.updates.length).toBeGreaterThan(heartbeatsBefore);
    expect(job.errors).toEqual([expect.stringMatching(/no progress for 2 s/)]);
    expect(() => process.kill(pid, 0)).toThrow();
    await waitFor(() => readdirSync(workDir).filter((f) => f.startsWith('job-')).length === 0, 5000, 'workspace cleanup');
  });

  it('keeps sending the result while the server answers 503, then succeeds', async () => {
    const { start } = await setup();
    let refusals = 0;
    server.override = (path) => (path.endsWith('/success') && refusals++ < 2 ? { status: 503, body: { detail: 'restarting' } } : undefined);
    handle = await start();
    const job = server.addJob('vod-web-video-transcoding', { resolution: 720, fps: 30 }, { videoFileUrl: media.h264 });
    server.ping();
    await waitFor(() => job.state === 'completed', 30_000, 'success after retries');
    expect(server.calls.filter((c) => c.path.endsWith('/success')).map((c) => c.status)).toEqual([503, 503, 204]);
  });

  it('never runs more jobs than the configured concurrency', async () => {
    // 3, not the default 2: the test must see the configured value taken.
    const { start } = await setup({ concurrency: 3 });
    handle = await start();
    const jobs = [360, 240, 144, 240, 144].map((r) => server.addJob('vod-hls-transcoding', hlsOutput(r), { videoFileUrl: media.h264 }));
    server.ping();
    await waitFor(() => jobs.every((j) => j.state === 'completed'), 60_000, 'all jobs');
    expect(server.maxConcurrent).toBe(3);
  });

  it('finds jobs by polling when the socket is unavailable', async () => {
    const { start } = await setup({ socket: false, pollIntervalMs: 300 });
    handle = await start();
    await new Promise((r) => setTimeout(r, 200));
    const job = server.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
    await waitFor(() => job.state === 'completed', 20_000, 'polled job');
  });

  it('skips a job another runner accepted first', async () => {
    const { start } = await setup();
    const taken = server.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
    const free = server.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
    server.override = (path) => (path === `/jobs/${taken.uuid}/accept` ? { status: 409, body: { code: 'runner_job_not_in_pending_state' } } : undefined);
    handle = await start();
    await waitFor(() => free.state === 'completed', 20_000, 'second job');
    expect(taken.state).toBe('pending');
  });

  it('drops an instance whose runner token the server no longer knows', async () => {
    const { start, configFile } = await setup();
    server.runnerTokens.clear();
    handle = await start();
    await waitFor(() => server.calls.some((c) => c.path === '/jobs/request' && c.status === 404), 10_000, 'refused request');
    await waitFor(() => handle!.daemon.instances.length === 0, 5000, 'instance dropped');
    // The link is dropped in memory first; the config file is rewritten just after (asynchronously).
    let remaining = (await loadRunnerConfig(configFile)).registeredInstances;
    for (let i = 0; i < 100 && remaining.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      remaining = (await loadRunnerConfig(configFile)).registeredInstances;
    }
    expect(remaining).toEqual([]);
  });

  it('registers again when started with registration options and the server forgot it (embedded runner)', async () => {
    server = await new FakeRunnerServer().start();
    const root = tempDir('flotilla-runner-test-');
    const register = { url: server.url, registrationToken: server.registrationToken, runnerName: 'embedded' };
    handle = await startRunnerDaemon({ configDir: join(root, 'c'), workDir: join(root, 'w'), ui: 'silent', register, pollIntervalMs: 300 });
    const first = [...server.runnerTokens][0];
    server.runnerTokens.clear();
    await waitFor(() => server.runnerTokens.size === 1, 10_000, 'second registration');
    expect([...server.runnerTokens][0]).not.toBe(first);
    const job = server.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
    await waitFor(() => job.state === 'completed', 45_000, 'job after re-registration');
  });

  it('serves an instance registered while it runs', async () => {
    const { start, configFile } = await setup();
    handle = await start();
    const second = await new FakeRunnerServer().start();
    try {
      await registerRunner({ configFile, url: second.url, registrationToken: second.registrationToken, runnerName: 'late' });
      await waitFor(() => handle!.daemon.instances.length === 2, 10_000, 'config reload');
      const job = second.addJob('vod-hls-transcoding', hlsOutput(144), { videoFileUrl: media.h264 });
      await waitFor(() => second.connectedRunners() === 1, 10_000, 'socket');
      second.ping();
      // A niced ffmpeg on a machine loaded by the other suites can take a while.
      await waitFor(() => job.state === 'completed', 45_000, 'job on the second server');
    } finally {
      await handle.stop();
      handle = null;
      await second.close();
    }
  });
});

afterAll(() => undefined);
