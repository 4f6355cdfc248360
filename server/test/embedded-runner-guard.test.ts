import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, RunnerRegistrationTokenAdmin, TranscodingAvailability, User } from '@flotilla/shared';
import { newRegistrationToken, waitFor } from './helpers/runners';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/** Issue 14, item 6: one click on the runners page must not stop all transcoding. */
describe('the embedded runner cannot be broken through the API', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-embedded-guard-'));
    server = await TestServer.start({
      rates_limit: { api: { max: 10_000 } },
      transcoding: { enabled: true, resolutions: { '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false } },
      runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 1, ffmpeg_nice: 0 } },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('its token is marked and refused deletion (409), other tokens still go; transcoding still completes', async () => {
    const admin = await server.login();
    const runners = await waitFor(async () => {
      const list = await admin.get<ResultList<{ id: number; name: string }>>('/api/v1/runners');
      return list.data.length ? list.data : null;
    });
    await newRegistrationToken(admin);
    const tokens = await admin.get<ResultList<RunnerRegistrationTokenAdmin>>('/api/v1/runners/registration-tokens');
    const embedded = tokens.data.filter((t) => t.embedded);
    const others = tokens.data.filter((t) => !t.embedded);
    expect([embedded.length, others.length]).toEqual([1, 1]);
    expect(embedded[0].registeredRunnersCount).toBe(1);

    await expectProblem(admin.request('DELETE', `/api/v1/runners/registration-tokens/${embedded[0].id}`), 409, 'runner_registration_token_embedded');
    await expectProblem(admin.request('DELETE', `/api/v1/runners/${runners[0].id}`), 409, 'runner_registration_token_embedded');
    await admin.request('DELETE', `/api/v1/runners/registration-tokens/${others[0].id}`);
    await expectProblem(admin.request('DELETE', `/api/v1/runners/registration-tokens/${others[0].id}`), 404);
    expect((await admin.get<ResultList<{ name: string }>>('/api/v1/runners')).data.map((r) => r.name)).toEqual(['embedded']);

    // Transcoding goes on: an upload is published by the embedded runner, and nothing says it waits.
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(dir, 'clip.mp4', { seconds: 3, size: '320x240' });
    const { video } = await legacyUpload(admin, clip, { name: 'after the delete', channelId: String(channelId) });
    await waitFor(async () => (await admin.get<{ state: { id: number } }>(`/api/v1/videos/${video.uuid}`)).state.id === 1, 60_000, 500);
    const a = await admin.get<TranscodingAvailability>('/api/v1/runners/availability');
    expect(a).toMatchObject({ pendingJobs: 0, embedded: { enabled: true, running: true }, reason: null });
    expect(a.runnersOnline).toBe(1);
  }, 120_000);

  it('a remote runner registered under the name "embedded" does not become the embedded runner', async () => {
    const other = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, runners: { embedded: { enabled: false } } });
    try {
      let admin = await other.login();
      const token = await newRegistrationToken(admin);
      const remote = await admin.request<{ id: number; runnerToken: string }>('POST', '/api/v1/runners/register', { json: { registrationToken: token, name: 'embedded' } });
      await other.restart({ runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 1, ffmpeg_nice: 0 } } });
      admin = await other.login();
      const a = await waitFor(async () => {
        const v = await admin.get<TranscodingAvailability>('/api/v1/runners/availability');
        return v.embedded.running ? v : null;
      }, 60_000, 300);
      expect(a.reason).toBeNull();
      // Two rows: the remote runner keeps its name and token, the embedded one has its own.
      const names = (await admin.get<ResultList<{ id: number; name: string }>>('/api/v1/runners')).data.map((r) => r.name).sort();
      expect(names).toHaveLength(2);
      expect(names[0]).toBe('embedded');
      expect(names[1]).toMatch(/^embedded-[0-9a-f]{8}$/);
      const tokens = await admin.get<ResultList<RunnerRegistrationTokenAdmin>>('/api/v1/runners/registration-tokens');
      expect(tokens.data.find((t) => t.embedded)?.registeredRunnersCount).toBe(1);
      expect(tokens.data.find((t) => t.registrationToken === token)?.registeredRunnersCount).toBe(1);
      // The remote runner is still an ordinary, deletable runner.
      await admin.request('DELETE', `/api/v1/runners/${remote.id}`);
    } finally {
      await other.stop();
    }
  }, 120_000);
});
