import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, pictureKind, Publisher } from './helpers/live';
import { sleep, waitFor } from './helpers/runners';
import { freePort, TestServer } from './helpers/test-server';

type Session = { id: number; endDate: string | null; error: number | null; replayVideo: { id: number; uuid: string } | null; endingProcessed: boolean };

/** Sessions of lives with a real publisher: replays, permanent lives, reconnects, frozen and killed publishers. */
describe('live sessions: replay, permanent lives, reconnect window, dead publishers', () => {
  let server: TestServer;
  let root: ApiClient;
  let channelId: number;
  const publishers: Publisher[] = [];
  const GRACE_MS = 3000;
  const STALLED_MS = 2000;

  const publish = (url: string) => {
    const p = Publisher.start(url);
    publishers.push(p);
    return p;
  };
  const details = (id: number | string) => root.get<VideoDetails>(`/api/v1/videos/${id}`);
  const stateOf = async (id: number) => (await details(id)).state.id;
  const sessions = (id: number) => root.get<ResultList<Session>>(`/api/v1/videos/live/${id}/sessions`);
  const mediaPlaylist = async (uuid: string) => {
    const base = `${server.url}/static/streaming-playlists/hls/${uuid}`;
    const master = await (await fetch(`${base}/master.m3u8`)).text();
    const variant = /^(\S+\.m3u8)$/m.exec(master)?.[1];
    return variant ? (await fetch(`${base}/${variant}`)).text() : '';
  };
  const sequences = (playlist: string) => [...playlist.matchAll(/^\w+-(\d+)\.ts$/gm)].map((m) => Number(m[1]));

  beforeAll(async () => {
    server = await TestServer.start({
      live: {
        enabled: true,
        reconnect_grace: `${GRACE_MS / 1000} seconds`,
        stalled_publisher: `${STALLED_MS / 1000} seconds`,
        rtmp: { port: await freePort(), hostname: '127.0.0.1' },
        transcoding: { enabled: false },
      },
      runners: { embedded: { enabled: true, concurrency: 3, ffmpeg_threads: 1 } },
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
  });

  it('saves the replay: the live becomes a VOD playable at once, then gets its ladder', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Replayed live', latencyMode: 3, saveReplay: true, replaySettings: { privacy: 1 } });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    // A few segments (2 s each) beyond the window's first ones.
    await sleep(7000);
    await publisher.stop();
    const replay = await waitFor(async () => {
      const v = await details(id);
      return !v.isLive && v.files.length > 0 ? v : null;
    }, 40_000, 300);
    expect([1, 2]).toContain(replay.state.id);
    expect(replay.duration).toBeGreaterThanOrEqual(5);
    // The live's placeholder pictures gave way to frames of the replay (as PeerTube's).
    expect(await pictureKind(`${server.url}${replay.thumbnailPath}`)).toBe('frame');
    expect(await pictureKind(`${server.url}${replay.previewPath}`)).toBe('frame');
    const file = replay.files[0]!;
    const res = await fetch(file.fileUrl);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(10_000);
    await res.body?.cancel();
    // The session points at its replay (the same video for a normal live).
    const [session] = (await sessions(id)).data;
    expect(session).toMatchObject({ error: null, endingProcessed: true, replayVideo: { id, uuid } });
    const fromReplay = await server.api.get<Session>(`/api/v1/videos/${uuid}/live-session`);
    expect(fromReplay.id).toBe(session!.id);
    // Runners make its HLS ladder.
    await waitFor(async () => {
      const v = await details(id);
      return v.state.id === 1 && v.streamingPlaylists[0]?.files.length ? v : null;
    }, 60_000, 500);
  }, 120_000);

  it('a live keeping its replay ends with QUOTA_EXCEEDED (3) once its chunks pass the quota left, its replay kept', async () => {
    await root.request('POST', '/api/v1/users', { json: { username: 'quota', password: 'password1', email: 'quota@example.org', role: 2, videoQuota: 150_000 } });
    const user = await server.login('quota', 'password1');
    const channel = (await user.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const { id, live } = await createLive(user, channel, { name: 'Over quota', latencyMode: 3, saveReplay: true, replaySettings: { privacy: 1 } });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    const session = await waitFor(async () => (await sessions(id)).data.find((s) => s.endDate) ?? null, 40_000, 200);
    expect(session.error).toBe(3);
    expect(await Promise.race([publisher.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 5000))])).toBe('exited');
    // What arrived is the replay.
    await waitFor(async () => {
      const v = await details(id);
      return !v.isLive && v.files.length > 0 ? v : null;
    }, 40_000, 300);
  }, 120_000);

  it('a permanent live: a reconnect within the window continues the session, a SIGKILLed publisher ends it after the window, the key publishes again', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Always on', latencyMode: 3, permanentLive: true });
    const url = `${live.rtmpUrl}/${live.streamKey}`;
    const first = publish(url);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await waitFor(async () => sequences(await mediaPlaylist(uuid)).length >= 2, 20_000, 300);
    const before = Math.max(...sequences(await mediaPlaylist(uuid)));

    // The encoder drops and comes back 1 s later: same session, still live for viewers.
    await first.kill();
    await sleep(1000);
    expect(await stateOf(id)).toBe(1);
    const second = publish(url);
    // The new job's chunks continue the numbering after a restart marker.
    const continued = await waitFor(async () => {
      const text = await mediaPlaylist(uuid);
      return sequences(text).some((s) => s > before) && text.includes('#EXT-X-DISCONTINUITY') ? text : null;
    }, 30_000, 300);
    expect(continued).toMatch(/#EXT-X-DISCONTINUITY-SEQUENCE:\d+/);
    expect(await stateOf(id)).toBe(1);
    expect((await sessions(id)).total).toBe(1);

    // SIGKILL: the session ends within a second of the window.
    await second.kill();
    const killedAt = Date.now();
    await waitFor(async () => (await stateOf(id)) === 4, 15_000, 100);
    expect(Date.now() - killedAt).toBeLessThan(GRACE_MS + 1500);
    const ended = (await sessions(id)).data[0]!;
    expect(ended.endDate).not.toBeNull();

    // The same key publishes again: a second session.
    const third = publish(url);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await waitFor(async () => (await sessions(id)).total === 2, 5000, 200);
    await third.stop();
    await waitFor(async () => (await stateOf(id)) === 4, 15_000, 200);
  }, 120_000);

  it('an ordinary live whose publisher is SIGKILLed ends within a second: no reconnect window, a later publish refused', async () => {
    const { id, live } = await createLive(root, channelId, { name: 'Killed encoder', latencyMode: 3 });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await publisher.kill();
    const killedAt = Date.now();
    await waitFor(async () => (await stateOf(id)) === 5, 5000, 50);
    const took = Date.now() - killedAt;
    console.log(`ordinary live: ended ${took} ms after its publisher was SIGKILLed`);
    expect(took).toBeLessThan(1000);
    expect((await sessions(id)).data[0]).toMatchObject({ error: null });
    expect((await sessions(id)).data[0]!.endDate).not.toBeNull();
    // Within what would have been the window, the key no longer publishes.
    const late = publish(`${live.rtmpUrl}/${live.streamKey}`);
    expect(await late.exited).not.toBe(0);
    expect((await sessions(id)).total).toBe(1);
  }, 120_000);

  it('a server killed mid-live: at restart the session is ended and the replay saved from what arrived', async () => {
    const { id, uuid, live } = await createLive(root, channelId, { name: 'Interrupted', latencyMode: 3, saveReplay: true });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    await waitFor(async () => sequences(await mediaPlaylist(uuid)).length >= 2, 20_000, 300);
    await server.kill('SIGKILL');
    await publisher.kill();
    await server.restart();
    root = await server.login();
    const replay = await waitFor(async () => {
      const v = await details(id);
      return !v.isLive && v.files.length > 0 ? v : null;
    }, 40_000, 300);
    expect(replay.duration).toBeGreaterThanOrEqual(2);
    const [session] = (await sessions(id)).data;
    expect(session!.endDate).not.toBeNull();
    expect(session!.replayVideo?.uuid).toBe(uuid);
  }, 120_000);

  it('cuts a frozen publisher (connection open, nothing sent) within 5 s', async () => {
    const { id, live } = await createLive(root, channelId, { name: 'Frozen', latencyMode: 3 });
    const publisher = publish(`${live.rtmpUrl}/${live.streamKey}`);
    await waitFor(async () => (await stateOf(id)) === 1, 40_000, 200);
    publisher.proc.kill('SIGSTOP');
    const frozenAt = Date.now();
    try {
      await waitFor(async () => (await stateOf(id)) === 5, 10_000, 100);
      expect(Date.now() - frozenAt).toBeLessThan(5000);
      expect((await sessions(id)).data[0]).toMatchObject({ error: 1 });
    } finally {
      publisher.proc.kill('SIGCONT');
      await publisher.kill();
    }
  }, 120_000);
});
