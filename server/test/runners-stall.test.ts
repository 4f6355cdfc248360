import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_PROTOCOL } from '@flotilla/shared';
import { parseDuration } from '../src/config/duration';
import { insertJob, jobRow, RunnerSide, sleep, waitFor } from './helpers/runners';
import { expectProblem, TestServer } from './helpers/test-server';

/** PeerTube's runner sends `update` every 60 s; its server's VOD stall window is 2 minutes. */
const PEERTUBE_UPDATE_EVERY_MS = 60_000;

/**
 * A runner like PeerTube's, whose websocket never reaches the server (a proxy without websocket
 * support): only its HTTP calls tell the server it is alive. The stall window is shortened to 4 s
 * and the runner's cadence with it (2 s, the same half-window ratio as PeerTube's 60 s in 2 min).
 */
describe('stalled jobs: runners without a socket', () => {
  const WINDOW_MS = 4000;
  let server: TestServer;
  let runner: RunnerSide;

  beforeAll(async () => {
    server = await TestServer.start({
      runners: { stalled_jobs: { vod: `${WINDOW_MS} ms`, live: `${WINDOW_MS} ms` } },
      transcoding: { enabled: false },
    });
    runner = await RunnerSide.register(server, await server.login(), 'socketless');
  });
  afterAll(async () => server?.stop());

  it('ships a VOD window that covers PeerTube runner cadence', () => {
    const doc = yaml.load(readFileSync(join(__dirname, '..', '..', 'config', 'default.yaml'), 'utf8')) as {
      runners: { stalled_jobs: { vod: string } };
    };
    const vod = parseDuration(doc.runners.stalled_jobs.vod)!;
    expect(vod).toBeGreaterThanOrEqual(RUNNER_PROTOCOL.STALLED_VOD_JOB_MS);
    expect(vod).toBeGreaterThanOrEqual(2 * PEERTUBE_UPDATE_EVERY_MS);
  });

  it('keeps the job of a runner that updates at half the window, takes it back once it goes silent', async () => {
    const job = await insertJob(server);
    const held = await runner.accept(job.uuid);
    // Three windows long: a job taken back at any point would refuse the next update.
    for (let t = 0; t < 3 * WINDOW_MS; t += WINDOW_MS / 2) {
      await sleep(WINDOW_MS / 2);
      await runner.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken, progress: 10 + t / 1000 });
    }
    expect((await jobRow(server, job.uuid)).state).toBe(2);
    const t0 = Date.now();
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 1, 4 * WINDOW_MS);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(WINDOW_MS - 500);
    expect((await jobRow(server, job.uuid)).failures).toBe(0);
    await expectProblem(runner.post(`/jobs/${job.uuid}/update`, { jobToken: held.jobToken }), 400, 'runner_job_not_in_processing_state');
    await server.sql('DELETE FROM runner_job');
  });

  it('counts any call of the runner holding the job as a sign of life', async () => {
    const job = await insertJob(server);
    await runner.accept(job.uuid);
    // No update at all: the runner only asks for more work, as a runner with free slots does.
    for (let t = 0; t < 3 * WINDOW_MS; t += WINDOW_MS / 2) {
      await sleep(WINDOW_MS / 2);
      await runner.request();
    }
    expect((await jobRow(server, job.uuid)).state).toBe(2);
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 1, 4 * WINDOW_MS);
    await server.sql('DELETE FROM runner_job');
  });

  it('errors a silent job whose type cannot move to another runner (live)', async () => {
    const job = await insertJob(server, { type: 'live-rtmp-hls-transcoding' });
    await runner.accept(job.uuid);
    await waitFor(async () => (await jobRow(server, job.uuid)).state === 4, 4 * WINDOW_MS);
    expect((await jobRow(server, job.uuid)).error).toBe('Stalled runner job');
    await server.sql('DELETE FROM runner_job');
  });
});
