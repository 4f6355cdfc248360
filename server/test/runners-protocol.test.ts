import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/src/api/http';
import { ApiClient as Client } from '../../client/src/api/http';
import { insertJob, jobRow, newRegistrationToken, RunnerSide, sleep, waitFor } from './helpers/runners';
import { expectProblem, TestServer } from './helpers/test-server';

describe('runner protocol (server side)', () => {
  let server: TestServer;
  let admin: ApiClient;
  let a: RunnerSide;
  let b: RunnerSide;

  beforeAll(async () => {
    server = await TestServer.start({
      runners: { max_failures: 3, stalled_jobs: { vod: '2 seconds', live: '2 seconds' } },
      uploads: { max_file_size: 64 * 1024 },
      // No transcoding pipeline in this file: jobs are inserted by hand.
      transcoding: { enabled: false },
    });
    admin = await server.login();
    a = await RunnerSide.register(server, admin, 'runner-a');
    b = await RunnerSide.register(server, admin, 'runner-b');
  });
  afterAll(async () => server?.stop());

  it('manages registration tokens (admin only)', async () => {
    const list = await admin.get<{ total: number; data: { id: number; registrationToken: string; registeredRunnersCount: number }[] }>(
      '/api/v1/runners/registration-tokens',
      { sort: 'createdAt' },
    );
    expect(list.total).toBe(2);
    expect(list.data[0].registrationToken).toMatch(/^ptrrt-[0-9a-f-]{36}$/);
    expect(list.data.map((t) => t.registeredRunnersCount)).toEqual([1, 1]);

    await expectProblem(new Client(server.url).request('POST', '/api/v1/runners/registration-tokens/generate'), 401);
    await admin.request('POST', '/api/v1/users', { json: { username: 'plain', password: 'password1', email: 'p@example.org', role: 2 } });
    const plain = await server.login('plain', 'password1');
    await expectProblem(plain.request('POST', '/api/v1/runners/registration-tokens/generate'), 403);
    await expectProblem(plain.get('/api/v1/runners'), 403);
    await expectProblem(plain.get('/api/v1/runners/jobs'), 403);
    await expectProblem(admin.request('DELETE', '/api/v1/runners/registration-tokens/99999'), 404);
  });

  it('registers runners, refuses bad tokens and duplicate names, lists them', async () => {
    const anon = new Client(server.url);
    await expectProblem(anon.request('POST', '/api/v1/runners/register', { json: { registrationToken: 'ptrrt-nope', name: 'x' } }), 404);
    const token = await newRegistrationToken(admin);
    await expectProblem(anon.request('POST', '/api/v1/runners/register', { json: { registrationToken: token, name: 'runner-a' } }), 400, 'runner_name_already_exists');
    await expectProblem(anon.request('POST', '/api/v1/runners/register', { json: { registrationToken: token, name: '' } }), 400, 'invalid_params');
    expect(a.runnerToken).toMatch(/^ptrt-/);

    const runners = await admin.get<{ total: number; data: { name: string; ip: string; lastContact: string }[] }>('/api/v1/runners', { sort: 'createdAt' });
    expect(runners.data.map((r) => r.name)).toEqual(['runner-a', 'runner-b']);
    expect(runners.data[0].ip).toContain('127.0.0.1');
    expect(Date.parse(runners.data[0].lastContact)).toBeGreaterThan(0);
  });

  it('answers unknown_runner_token to every runner route with a bad token', async () => {
    const ghost = new RunnerSide(server, 'ptrt-unknown');
    await expectProblem(ghost.request(), 404, 'unknown_runner_token');
    const job = await insertJob(server);
    await expectProblem(ghost.post(`/jobs/${job.uuid}/accept`), 404, 'unknown_runner_token');
    await expectProblem(ghost.post(`/jobs/${job.uuid}/update`, { jobToken: 'x' }), 404, 'unknown_runner_token');
    await expectProblem(ghost.post('/unregister'), 404, 'unknown_runner_token');
    await server.sql('DELETE FROM runner_job');
  });

  it('lists pending jobs by priority, hides waiting children, filters by type', async () => {
    const low = await insertJob(server, { priority: 200, resolution: 360 });
    const high = await insertJob(server, { priority: 99, resolution: 720 });
    await insertJob(server, { priority: 1, state: 5, parentId: high.id, resolution: 480 });
    const web = await insertJob(server, { type: 'vod-web-video-transcoding', priority: 150 });
    const { availableJobs } = await a.request();
    expect(availableJobs.map((j) => j.uuid)).toEqual([high.uuid, web.uuid, low.uuid]);
    expect(availableJobs[0].payload).toHaveProperty('input.videoFileUrl');
    expect((await a.request(['vod-web-video-transcoding'])).availableJobs.map((j) => j.uuid)).toEqual([web.uuid]);
    expect((await a.request(['no-such-type'])).availableJobs).toEqual([]);
    await server.sql('DELETE FROM runner_job');
  });

  it('lists live jobs before any other whatever their priority, and hides a job kept for the embedded runner from the others', async () => {
    const vod = await insertJob(server, { priority: 99 });
    const live = await insertJob(server, { type: 'live-rtmp-hls-transcoding', priority: 100 });
    // PeerTube's runner takes the first job listed: a page of uploads must not come before a live.
    expect((await a.request()).availableJobs.map((j) => j.uuid)).toEqual([live.uuid, vod.uuid]);
    await server.sql('UPDATE runner_job SET embedded_only = true WHERE id = $1', [live.id]);
    expect((await a.request()).availableJobs.map((j) => j.uuid)).toEqual([vod.uuid]);
    await expectProblem(a.accept(live.uuid), 400, 'runner_job_not_in_pending_state');
    expect((await jobRow(server, live.uuid)).state).toBe(1);
    await server.sql('DELETE FROM runner_job');
  });

  it('never lets two runners take the same job', async () => {
    const jobs = await Promise.all([1, 2, 3, 4, 5].map((i) => insertJob(server, { resolution: 100 + i })));
    for (const job of jobs) {
      const results = await Promise.allSettled([a.accept(job.uuid), b.accept(job.uuid), a.accept(job.uuid), b.accept(job.uuid)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('runner_job_not_in_pending_state');
      }
      const accepted = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<RunnerSide['accept']>>>).value;
      expect(accepted.jobToken).toMatch(/^ptrjt-/);
      expect(accepted.state.id).toBe(2);
      expect(accepted.payload).toHaveProperty('output.resolution');
    }
    await expectProblem(a.post('/jobs/00000000-0000-4000-8000-000000000000/accept'), 404, 'runner_job_not_found');
    await server.sql('DELETE FROM runner_job');
  });

  it('takes updates only from the holder; update is the heartbeat', async () => {
    const job = await insertJob(server);
    const held = await a.accept(job.uuid);
    const before = (await jobRow(server, job.uuid)).updated_at;
    await sleep(20);
    await a.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken, progress: 42 });
    let row = await jobRow(server, job.uuid);
    expect(row.progress).toBe(42);
    expect(new Date(row.updated_at).getTime()).toBeGreaterThan(new Date(before).getTime());
    await a.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken });
    row = await jobRow(server, job.uuid);
    expect(row.progress).toBe(42);

    await expectProblem(b.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken, progress: 50 }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(a.post(`/jobs/${job.uuid}/update`, { jobToken: 'ptrjt-wrong', progress: 50 }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(a.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken, progress: 101 }), 400, 'invalid_params');
    await expectProblem(
      a.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken, payload: { type: 'add-chunk', videoChunkFilename: '0-1.ts' } }),
      400,
    );
    await expectProblem(b.post(`/jobs/${job.uuid}/success`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(b.post(`/jobs/${job.uuid}/error`, { jobToken: held.jobToken, message: 'x' }), 400, 'runner_job_not_in_processing_state');
    await server.sql('DELETE FROM runner_job');
  });

  it('retries an erroring job up to max_failures, then errors it and its children', async () => {
    const job = await insertJob(server);
    const child = await insertJob(server, { state: 5, parentId: job.id, resolution: 144 });
    for (let i = 1; i <= 3; i++) {
      const held = await (i % 2 ? a : b).accept(job.uuid);
      await (i % 2 ? a : b).post(`/jobs/${job.uuid}/error`, { jobToken: held.jobToken, message: `ffmpeg exited with code 1 (try ${i})` });
      const row = await jobRow(server, job.uuid);
      expect(row.failures).toBe(i);
      expect(row.state).toBe(i < 3 ? 1 : 4);
    }
    const row = await jobRow(server, job.uuid);
    expect(row.error).toBe('ffmpeg exited with code 1 (try 3)');
    expect((await jobRow(server, child.uuid)).state).toBe(7);
    await expectProblem(a.accept(job.uuid), 400, 'runner_job_not_in_pending_state');
    await server.sql('DELETE FROM runner_job');
  });

  it('puts an aborted job back to pending without counting a failure', async () => {
    const job = await insertJob(server);
    const held = await a.accept(job.uuid);
    await a.post(`/jobs/${job.uuid}/abort`, { jobToken: held.jobToken, reason: 'Runner stopped' });
    const row = await jobRow(server, job.uuid);
    expect(row.state).toBe(1);
    expect(row.failures).toBe(0);
    expect(row.runner_id).toBeNull();
    // The old token is dead.
    await expectProblem(a.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    await b.accept(job.uuid);
    await server.sql('DELETE FROM runner_job');
  });

  it('refuses bad success uploads with 400 and writes nothing', async () => {
    const job = await insertJob(server);
    const held = await a.accept(job.uuid);
    const playlist = { data: '#EXTM3U\n', name: 'x-240.m3u8' };
    const video = { data: Buffer.alloc(1024), name: 'x-240-fragmented.mp4' };
    const uploads = join(server.storage, 'tmp', 'runner-uploads');

    await expectProblem(a.success(job.uuid, held.jobToken, { 'payload[evilFile]': video, 'payload[resolutionPlaylistFile]': playlist }), 400);
    await expectProblem(a.success(job.uuid, held.jobToken, { 'payload[videoFile]': { ...video, name: '../../x.mp4' }, 'payload[resolutionPlaylistFile]': playlist }), 400);
    await expectProblem(a.success(job.uuid, held.jobToken, { 'payload[videoFile]': { ...video, name: 'a/b.mp4' }, 'payload[resolutionPlaylistFile]': playlist }), 400);
    await expectProblem(
      a.success(job.uuid, held.jobToken, { 'payload[videoFile]': { data: Buffer.alloc(200 * 1024), name: 'big.mp4' }, 'payload[resolutionPlaylistFile]': playlist }),
      400,
      'max_file_size_reached',
    );
    // HLS needs both files.
    await expectProblem(a.success(job.uuid, held.jobToken, { 'payload[videoFile]': video }), 400, 'invalid_params');
    // Not the holder.
    await expectProblem(b.success(job.uuid, held.jobToken, { 'payload[videoFile]': video, 'payload[resolutionPlaylistFile]': playlist }), 400, 'runner_job_not_in_processing_state');

    // Refused uploads' temporary files are removed as their requests end: wait for that, not a fixed time.
    await waitFor(async () => (await readdir(uploads)).length === 0, 5000, 20);
    expect((await jobRow(server, job.uuid)).state).toBe(2);
    await server.sql('DELETE FROM runner_job');
  });

  it('guards input downloads: holder only, own video only', async () => {
    const job = await insertJob(server);
    const held = await a.accept(job.uuid);
    const base = `/jobs/${job.uuid}/files/videos`;
    await expectProblem(a.post(`${base}/${job.videoUUID}/max-quality`, { jobToken: 'ptrjt-wrong' }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(b.post(`${base}/${job.videoUUID}/max-quality`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(a.post(`${base}/00000000-0000-4000-8000-000000000000/max-quality`, { jobToken: held.jobToken }), 403);
    // No video behind this hand-made job: nothing to serve.
    await expectProblem(a.post(`${base}/${job.videoUUID}/max-quality`, { jobToken: held.jobToken }), 404);
    await server.sql('DELETE FROM runner_job');
  });

  it('lets admins list, cancel (POST and GET) and delete jobs', async () => {
    const parent = await insertJob(server, { priority: 50 });
    const child = await insertJob(server, { state: 5, parentId: parent.id, resolution: 144 });
    const other = await insertJob(server, { resolution: 360 });
    const held = await a.accept(parent.uuid);
    await a.post(`/jobs/${parent.uuid}/update`, { jobToken: held.jobToken, progress: 10 });

    type AdminJobs = { total: number; data: { uuid: string; state: { id: number; label: string }; progress: number | null; runner: { name: string } | null; privatePayload: { videoUUID: string }; parent?: { uuid: string } }[] };
    const processing = await admin.get<AdminJobs>('/api/v1/runners/jobs', { 'stateOneOf[]': [2] } as never);
    expect(processing.total).toBe(1);
    expect(processing.data[0]).toMatchObject({ uuid: parent.uuid, state: { id: 2, label: 'Processing' }, progress: 10, runner: { name: 'runner-a' } });
    expect(processing.data[0].privatePayload.videoUUID).toBe(parent.videoUUID);
    const byRunner = await admin.get<AdminJobs>('/api/v1/runners/jobs', { search: 'runner-a' });
    expect(byRunner.data.map((j) => j.uuid)).toEqual([parent.uuid]);
    const all = await admin.get<AdminJobs>('/api/v1/runners/jobs', { sort: 'createdAt' });
    expect(all.total).toBe(3);
    expect(all.data[1].parent?.uuid).toBe(parent.uuid);
    // PeerTube's own type names filter too, even those Flotilla never creates; a malformed one is refused.
    expect((await admin.get<AdminJobs>('/api/v1/runners/jobs', { 'typeOneOf[]': ['vod-hls-transcoding'] } as never)).total).toBe(3);
    expect((await admin.get<AdminJobs>('/api/v1/runners/jobs', { 'typeOneOf[]': ['video-transcription', 'video-studio-transcoding'] } as never)).total).toBe(0);
    await expectProblem(admin.get('/api/v1/runners/jobs', { typeOneOf: 'vod hls; drop' }), 400);

    await admin.request('POST', `/api/v1/runners/jobs/${parent.uuid}/cancel`);
    expect((await jobRow(server, parent.uuid)).state).toBe(6);
    expect((await jobRow(server, child.uuid)).state).toBe(8);
    await expectProblem(a.post(`/jobs/${parent.uuid}/update`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(admin.request('POST', `/api/v1/runners/jobs/${parent.uuid}/cancel`), 400);

    await admin.request('GET', `/api/v1/runners/jobs/${other.uuid}/cancel`);
    expect((await jobRow(server, other.uuid)).state).toBe(6);
    await admin.request('DELETE', `/api/v1/runners/jobs/${parent.uuid}`);
    expect(await jobRow(server, parent.uuid)).toBeUndefined();
    expect(await jobRow(server, child.uuid)).toBeUndefined();
    await expectProblem(admin.request('DELETE', `/api/v1/runners/jobs/${parent.uuid}`), 404, 'runner_job_not_found');
    await server.sql('DELETE FROM runner_job');
  });

  it('returns a stalled job to pending after the stall window, and refuses the stalled runner’s late update and success', async () => {
    const job = await insertJob(server);
    const stale = await a.accept(job.uuid);
    const t0 = Date.now();
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 1, 10_000);
    expect(Date.now() - t0).toBeGreaterThan(1500);
    expect((await jobRow(server, job.uuid)).failures).toBe(0);
    // The stalled runner wakes up: its token no longer holds the job, pending or taken by another.
    await expectProblem(a.post(`/jobs/${job.uuid}/update`, { jobToken: stale.jobToken, progress: 90 }), 400, 'runner_job_not_in_processing_state');
    const fresh = await b.accept(job.uuid);
    const files = { 'payload[videoFile]': { data: Buffer.alloc(1024), name: 'x-240-fragmented.mp4' }, 'payload[resolutionPlaylistFile]': { data: '#EXTM3U\n', name: 'x-240.m3u8' } };
    await expectProblem(a.success(job.uuid, stale.jobToken, files), 400, 'runner_job_not_in_processing_state');
    await expectProblem(a.post(`/jobs/${job.uuid}/update`, { jobToken: stale.jobToken, progress: 90 }), 400, 'runner_job_not_in_processing_state');
    await expectProblem(a.post(`/jobs/${job.uuid}/error`, { jobToken: stale.jobToken, message: 'late' }), 400, 'runner_job_not_in_processing_state');
    const row = await jobRow(server, job.uuid);
    expect(row.state).toBe(2);
    expect(row.progress).toBeNull();
    expect(row.failures).toBe(0);
    expect((await server.sql<{ name: string }>('SELECT r.name FROM runner_job j JOIN runner r ON r.id = j.runner_id WHERE j.uuid = $1', [job.uuid]))[0].name).toBe('runner-b');
    await b.post(`/jobs/${job.uuid}/update`, { jobToken: fresh.jobToken, progress: 10 });
    await server.sql('DELETE FROM runner_job');
  });

  it('gives a runner that keeps its socket open PeerTube\'s longer stall window', async () => {
    const sock: Socket = connect(`${server.url}/runners`, { auth: { runnerToken: b.runnerToken }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      sock.on('connect', () => resolve());
      sock.on('connect_error', reject);
    });
    const job = await insertJob(server);
    await b.accept(job.uuid);
    await sleep(4500);
    expect((await jobRow(server, job.uuid)).state).toBe(2);
    // Gone from the socket too: the short window applies again.
    sock.close();
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 1, 10_000);
    await server.sql('DELETE FROM runner_job');
  });

  it('authenticates sockets by runner token and pings available-jobs', async () => {
    const bad = connect(`${server.url}/runners`, { auth: { runnerToken: 'ptrt-nope' }, transports: ['websocket'], reconnection: false });
    const refused = await new Promise<string>((resolve) => bad.on('connect_error', (e) => resolve(e.message)));
    expect(refused).toMatch(/unknown runner token/i);
    bad.close();

    const sock: Socket = connect(`${server.url}/runners`, { auth: { runnerToken: a.runnerToken }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      sock.on('connect', () => resolve());
      sock.on('connect_error', reject);
    });
    let pings = 0;
    sock.on('available-jobs', () => pings++);
    const job = await insertJob(server);
    const held = await b.accept(job.uuid);
    await b.post(`/jobs/${job.uuid}/abort`, { jobToken: held.jobToken, reason: 'Runner stopped' });
    await waitFor(async () => pings > 0, 5000, 100);
    sock.close();
    await server.sql('DELETE FROM runner_job');
  });

  it('unregisters, deletes runners, and deleting a token removes its runners', async () => {
    const c = await RunnerSide.register(server, admin, 'runner-c');
    await c.post('/unregister');
    await expectProblem(c.request(), 404, 'unknown_runner_token');

    const d = await RunnerSide.register(server, admin, 'runner-d');
    const runners = await admin.get<{ data: { id: number; name: string }[] }>('/api/v1/runners');
    await admin.request('DELETE', `/api/v1/runners/${runners.data.find((r) => r.name === 'runner-d')!.id}`);
    await expectProblem(d.request(), 404, 'unknown_runner_token');

    const tokens = await admin.get<{ data: { id: number; registrationToken: string }[] }>('/api/v1/runners/registration-tokens', { sort: 'createdAt' });
    await admin.request('DELETE', `/api/v1/runners/registration-tokens/${tokens.data[0].id}`);
    await expectProblem(a.request(), 404, 'unknown_runner_token');
    await expectProblem(admin.request('DELETE', '/api/v1/runners/99999'), 404, 'runner_not_found');
  });
});

describe('stall sweep across a server restart', () => {
  let server: TestServer;
  let runner: RunnerSide;
  beforeAll(async () => {
    // A wider window than above: the assertions below need a margin for a slow boot.
    server = await TestServer.start({ runners: { stalled_jobs: { vod: '6 seconds', live: '6 seconds' } }, transcoding: { enabled: false } });
    runner = await RunnerSide.register(server, await server.login(), 'runner-r');
  });
  afterAll(async () => server?.stop());

  it('does not count the time the server was down as silence', async () => {
    const job = await insertJob(server);
    await runner.accept(job.uuid);
    // Last heard of long ago, then the server restarts: the runner gets a whole window to report.
    await server.sql(`UPDATE runner_job SET updated_at = now() - interval '1 hour' WHERE uuid = $1`, [job.uuid]);
    await server.restart();
    // Sweeps run every 3 s from the start: the first has run, the window (6 s) is not over.
    await sleep(3500);
    expect((await jobRow(server, job.uuid)).state).toBe(2);
    // A runner that stays silent after the restart loses the job one window later.
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 1, 15_000);
  });

  it('puts a COMPLETING job orphaned by a restart (its completion died with the process) back to pending', async () => {
    const orphan = await insertJob(server, { resolution: 360 });
    const held = await runner.accept(orphan.uuid);
    // The success was taken (PROCESSING → COMPLETING) and the process died before completing it:
    // its lease (runners.completing_lease, 1 minute; renewed every 15 s while a process stores the
    // result) ran out 2 minutes ago. A fresh COMPLETING job stays.
    await server.sql(`UPDATE runner_job SET state = 9, updated_at = now() - interval '2 minutes' WHERE uuid = $1`, [orphan.uuid]);
    const recent = await insertJob(server, { resolution: 480 });
    await runner.accept(recent.uuid);
    await server.sql(`UPDATE runner_job SET state = 9 WHERE uuid = $1`, [recent.uuid]);
    await server.restart();
    await waitFor(async () => (await jobRow(server, orphan.uuid)).state === 1, 15_000, 100);
    const row = await jobRow(server, orphan.uuid);
    expect(row.runner_id).toBeNull();
    expect(row.failures).toBe(0);
    expect((await jobRow(server, recent.uuid)).state).toBe(9);
    // The old holder's token is void; the job is offered again.
    await expectProblem(runner.post(`/jobs/${orphan.uuid}/update`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    expect((await runner.request()).availableJobs.map((j) => j.uuid)).toContain(orphan.uuid);
  });
});
