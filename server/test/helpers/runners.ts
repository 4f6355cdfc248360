import { randomUUID } from 'node:crypto';
import { ApiClient } from '../../../client/src/api/http';
import type { TestServer } from './test-server';

/** Runner-side calls over real HTTP, as a runner makes them (tokens in bodies, no OAuth). */
export class RunnerSide {
  readonly api: ApiClient;
  constructor(
    readonly server: TestServer,
    readonly runnerToken: string,
  ) {
    this.api = new ApiClient(server.url);
  }

  static async register(server: TestServer, admin: ApiClient, name: string): Promise<RunnerSide> {
    const registrationToken = await newRegistrationToken(admin);
    const res = await new ApiClient(server.url).request<{ id: number; runnerToken: string }>('POST', '/api/v1/runners/register', {
      json: { registrationToken, name, description: `test runner ${name}` },
    });
    return new RunnerSide(server, res.runnerToken);
  }

  post<T = unknown>(path: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.api.request<T>('POST', `/api/v1/runners${path}`, { json: { runnerToken: this.runnerToken, ...body } });
  }

  request(jobTypes?: string[]) {
    return this.post<{ availableJobs: { uuid: string; type: string; payload: Record<string, unknown> }[] }>('/jobs/request', jobTypes ? { jobTypes } : {});
  }

  async accept(uuid: string) {
    const res = await this.post<{ job: { uuid: string; jobToken: string; type: string; payload: Record<string, unknown>; state: { id: number } } }>(`/jobs/${uuid}/accept`);
    return res.job;
  }

  /** Multipart success: text fields + files as `payload[<name>]`. */
  success(uuid: string, jobToken: string, files: Record<string, { data: Buffer | string; name: string }>, fields: Record<string, string> = {}) {
    const form = new FormData();
    form.append('runnerToken', this.runnerToken);
    form.append('jobToken', jobToken);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const [field, f] of Object.entries(files)) form.append(field, new Blob([f.data]), f.name);
    return this.api.request('POST', `/api/v1/runners/jobs/${uuid}/success`, { body: form });
  }
}

export async function newRegistrationToken(admin: ApiClient): Promise<string> {
  await admin.request('POST', '/api/v1/runners/registration-tokens/generate');
  const list = await admin.get<{ data: { registrationToken: string }[] }>('/api/v1/runners/registration-tokens', { sort: '-createdAt', count: 1 });
  return list.data[0].registrationToken;
}

/** Inserts a job row directly (protocol tests need jobs without a video pipeline). */
export async function insertJob(
  server: TestServer,
  o: { type?: string; priority?: number; state?: number; parentId?: number | null; videoUUID?: string; resolution?: number } = {},
): Promise<{ id: number; uuid: string; videoUUID: string }> {
  const uuid = randomUUID();
  const videoUUID = o.videoUUID ?? randomUUID();
  const url = `${server.url}/api/v1/runners/jobs/${uuid}/files/videos/${videoUUID}/max-quality`;
  const rows = await server.sql<{ id: number }>(
    `INSERT INTO runner_job (uuid, type, payload, private_payload, state, priority, depends_on_runner_job_id, video_uuid, resolution)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      uuid,
      o.type ?? 'vod-hls-transcoding',
      JSON.stringify({ input: { videoFileUrl: url, separatedAudioFileUrl: [] }, output: { resolution: o.resolution ?? 240, fps: 25, separatedAudio: false } }),
      JSON.stringify({ videoUUID, isNewVideo: true, deleteWebVideoFiles: false, canMoveVideoState: true }),
      o.state ?? 1,
      o.priority ?? 100,
      o.parentId ?? null,
      videoUUID,
      o.resolution ?? 240,
    ],
  );
  return { id: rows[0].id, uuid, videoUUID };
}

export async function jobRow(server: TestServer, uuid: string) {
  const rows = await server.sql<{ id: number; state: number; failures: number; error: string | null; progress: number | null; runner_id: number | null; updated_at: Date }>(
    'SELECT id, state, failures, error, progress, runner_id, updated_at FROM runner_job WHERE uuid = $1',
    [uuid],
  );
  return rows[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, stepMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}

/** What a runner makes for an HLS job: the shared ffmpeg builder, run here (real ffmpeg). */
export async function makeHlsRendition(input: string, dir: string, o: { resolution: number; fps: number; copy?: boolean }) {
  const { execFileSync } = await import('node:child_process');
  const { buildFfprobeArgs, buildHlsArgs, parseFfprobeOutput } = await import('@flotilla/shared');
  const probe = parseFfprobeOutput(execFileSync('ffprobe', buildFfprobeArgs(input)).toString());
  const name = randomUUID();
  const videoFileName = `${name}-${o.resolution}-fragmented.mp4`;
  const playlistFileName = `${name}-${o.resolution}.m3u8`;
  const args = buildHlsArgs({ input, probe, resolution: o.resolution, fps: o.fps, copy: o.copy ?? false, videoFileName, playlistFileName, threads: 2 });
  execFileSync('ffmpeg', args, { cwd: dir });
  const { join } = await import('node:path');
  return { videoFile: join(dir, videoFileName), playlistFile: join(dir, playlistFileName), videoFileName, playlistFileName };
}

/** Posts an HLS success with the two files, as a runner does. */
export async function postHlsSuccess(runner: RunnerSide, uuid: string, jobToken: string, r: { videoFile: string; playlistFile: string; videoFileName: string; playlistFileName: string }) {
  const { readFile } = await import('node:fs/promises');
  return runner.success(uuid, jobToken, {
    'payload[videoFile]': { data: await readFile(r.videoFile), name: r.videoFileName },
    'payload[resolutionPlaylistFile]': { data: await readFile(r.playlistFile), name: r.playlistFileName },
  });
}

/** Downloads a job input the way runners do (POST with tokens in the body). */
export async function downloadInput(runner: RunnerSide, url: string, jobToken: string): Promise<Buffer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ runnerToken: runner.runnerToken, jobToken }) });
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
    // The fields expectProblem reads from an ApiError (status, code, problem body, headers).
    throw Object.assign(new Error(`download answered ${res.status}: ${body.detail}`), { status: res.status, code: body.code, problem: body, headers: res.headers });
  }
  return Buffer.from(await res.arrayBuffer());
}
