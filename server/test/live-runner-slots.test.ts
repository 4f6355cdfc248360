import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, RunnerRegistrationTokenAdmin, User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { ApiClient as Client } from '../../client/src/api/http';
import { createLive, Publisher } from './helpers/live';
import { jobRow, RunnerSide, sleep, waitFor } from './helpers/runners';
import { expectProblem, freePort, TestServer, type ConfigOverrides } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

type Job = { uuid: string; type: string; state: { id: number }; runner: { name: string } | null; payload: { input: { rtmpUrl?: string } } };

const LIVE_JOB = 'live-rtmp-hls-transcoding';
const publishers: Publisher[] = [];

/** A server with lives (remuxed, no ladder: little CPU), its admin, a registered remote runner and a channel. */
async function liveServer(overrides: ConfigOverrides) {
  const live = { enabled: true, max_user_lives: 5, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } };
  const server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, ...overrides, live: { ...live, ...(overrides.live as object) } });
  const root = await server.login();
  const remote = await RunnerSide.register(server, root, 'remote');
  const channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0]!.id;
  const stateOf = async (id: number | string) => (await root.get<{ state: { id: number } }>(`/api/v1/videos/${id}`)).state.id;
  /** Starts publishing a new live; `job()` is its runner job once created. */
  const goLive = async (name: string) => {
    const { id, live: info } = await createLive(root, channelId, { name, latencyMode: 3 });
    publishers.push(Publisher.start(`${info.rtmpUrl}/${info.streamKey}`));
    const publisher = publishers.at(-1)!;
    const job = async () =>
      (await root.get<ResultList<Job>>('/api/v1/runners/jobs', { count: 20, sort: '-createdAt' })).data.find((j) => j.type === LIVE_JOB && j.payload.input.rtmpUrl?.endsWith(info.streamKey));
    return { id, publisher, job, onAir: () => waitFor(async () => (await stateOf(id)) === 1, 40_000, 200) };
  };
  return { server, root, remote, channelId, stateOf, goLive };
}

afterEach(async () => {
  for (const p of publishers.splice(0)) await p.kill();
});

/**
 * The embedded runner at VOD concurrency 1 runs lives in slots of their own (two by default): two
 * lives on air at once and an upload transcoded meanwhile. With `live.transcoding.remote_runners`
 * off, a live job is the embedded runner's only: a remote runner neither sees nor accepts it.
 */
describe('live jobs: the embedded runner’s live slots, remote_runners off', () => {
  let s: Awaited<ReturnType<typeof liveServer>>;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-live-slots-'));
    s = await liveServer({
      live: { transcoding: { enabled: false, remote_runners: { enabled: false } } },
      runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 1, ffmpeg_nice: 0 } },
      transcoding: { enabled: true, resolutions: { '240p': true, '360p': false, '480p': false, '720p': false, '1080p': false } },
    });
  }, 120_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(s?.server.output);
    await s?.server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('two lives on air, an upload transcoded meanwhile; a third live waits for a live slot, hidden from the remote runner', async () => {
    const { root, remote, goLive, stateOf } = s;
    // No remote runner can pass for the embedded one by registering with its token.
    const tokens = await root.get<ResultList<RunnerRegistrationTokenAdmin>>('/api/v1/runners/registration-tokens');
    const embeddedToken = tokens.data.find((t) => t.embedded)!.registrationToken;
    const anon = new Client(s.server.url);
    await expectProblem(anon.request('POST', '/api/v1/runners/register', { json: { registrationToken: embeddedToken, name: 'impostor' } }), 404, 'runner_registration_token_invalid');

    const first = await goLive('First live');
    const second = await goLive('Second live');
    await Promise.all([first.onAir(), second.onAir()]);
    for (const live of [first, second]) expect(await live.job()).toMatchObject({ state: { id: 2 }, runner: { name: 'embedded' } });

    // Both lives hold live slots; the single VOD slot still transcodes an upload.
    const clip = makeClip(dir, 'clip.mp4', { seconds: 3, size: '320x240' });
    const { video } = await legacyUpload(root, clip, { name: 'Uploaded during the lives', channelId: String(s.channelId) });
    await waitFor(async () => (await stateOf(video.uuid)) === 1, 90_000, 500);
    expect([await stateOf(first.id), await stateOf(second.id)]).toEqual([1, 1]);

    // A third live: the embedded runner's two live slots are taken, so its job stays pending, and
    // the remote runner is not offered it and may not accept it.
    const third = await goLive('Third live');
    const pending = await waitFor(third.job, 20_000, 200);
    await sleep(1000);
    expect((await jobRow(s.server, pending.uuid)).state).toBe(1);
    expect((await remote.request()).availableJobs.map((j) => j.uuid)).not.toContain(pending.uuid);
    expect((await remote.request([LIVE_JOB])).availableJobs).toEqual([]);
    await expectProblem(remote.accept(pending.uuid), 400, 'runner_job_not_in_pending_state');
    expect((await jobRow(s.server, pending.uuid)).state).toBe(1);

    // The first live ends: its slot goes to the third live.
    await first.publisher.stop();
    await third.onAir();
    expect(await third.job()).toMatchObject({ state: { id: 2 }, runner: { name: 'embedded' } });
    expect(await stateOf(second.id)).toBe(1);
  }, 180_000);
});

describe('live jobs: remote_runners on (the default)', () => {
  let s: Awaited<ReturnType<typeof liveServer>>;

  beforeAll(async () => {
    // The embedded runner takes no live (live_concurrency 0): the live job is the remote runner's to take.
    s = await liveServer({ runners: { embedded: { enabled: true, concurrency: 1, live_concurrency: 0, ffmpeg_threads: 1, ffmpeg_nice: 0 } } });
  }, 120_000);
  afterAll(async () => s?.server.stop());

  it('a remote runner is offered the live job and accepts it', async () => {
    const live = await s.goLive('Remote live');
    const created = await waitFor(live.job, 20_000, 200);
    // Time for the embedded runner to take it, were it allowed to.
    await sleep(1500);
    const offered = await waitFor(async () => (await s.remote.request()).availableJobs.find((j) => j.uuid === created.uuid), 10_000, 200);
    expect(offered.type).toBe(LIVE_JOB);
    const accepted = await s.remote.accept(created.uuid);
    expect(accepted.state.id).toBe(2);
    expect(await live.job()).toMatchObject({ runner: { name: 'remote' } });
  }, 120_000);
});
