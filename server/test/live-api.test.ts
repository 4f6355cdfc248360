import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveVideo, ResultList, ServerConfig, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, pictureKind, Publisher, solidPng } from './helpers/live';
import { waitFor } from './helpers/runners';
import { expectProblem, freePort, TestServer } from './helpers/test-server';

describe('live API (PeerTube shapes)', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceChannel: number;
  let rtmpPort: number;

  beforeAll(async () => {
    rtmpPort = await freePort();
    server = await TestServer.start({
      live: { enabled: true, allow_replay: true, max_user_lives: 10, max_duration: '3 seconds', rtmp: { port: rtmpPort, hostname: '127.0.0.1' } },
      rates_limit: { api: { max: 1000 } },
    });
    root = await server.login();
    for (const name of ['alice', 'bob']) {
      await root.request('POST', '/api/v1/users', { json: { username: name, password: 'password1', email: `${name}@example.org`, role: 2 } });
    }
    alice = await server.login('alice', 'password1');
    bob = await server.login('bob', 'password1');
    const me = await alice.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me');
    aliceChannel = me.videoChannels[0]!.id;
  });
  afterAll(async () => server?.stop());

  it('publishes the live block of the config with the configured keys', async () => {
    const cfg = await server.api.get<ServerConfig & { live: Record<string, unknown> }>('/api/v1/config');
    expect(cfg.live).toMatchObject({
      enabled: true,
      allowReplay: true,
      latencySetting: { enabled: true },
      maxDuration: 3000,
      maxInstanceLives: 20,
      maxUserLives: 10,
      rtmp: { port: rtmpPort },
      transcoding: { enabled: true, remoteRunners: { enabled: true }, enabledResolutions: [240, 360, 720] },
    });
  });

  it('creates a live (multipart, as PeerTube’s client) waiting for its stream, with key and RTMP URL for the owner only', async () => {
    const form = new FormData();
    form.append('channelId', String(aliceChannel));
    form.append('name', 'Morning show');
    form.append('privacy', '1');
    form.append('saveReplay', 'true');
    form.append('replaySettings[privacy]', '2');
    form.append('permanentLive', 'false');
    form.append('latencyMode', '3');
    const created = await alice.request<{ video: { id: number; uuid: string; shortUUID: string } }>('POST', '/api/v1/videos/live', { body: form });
    expect(created.video.shortUUID).toBeTruthy();

    const video = await server.api.get<VideoDetails>(`/api/v1/videos/${created.video.uuid}`);
    expect(video.isLive).toBe(true);
    expect(video.state).toEqual({ id: 4, label: 'Waiting for livestream' });

    const live = await alice.get<LiveVideo>(`/api/v1/videos/live/${created.video.id}`);
    expect(live).toEqual({
      rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`,
      rtmpsUrl: null,
      streamKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
      saveReplay: true,
      replaySettings: { privacy: 2 },
      permanentLive: false,
      latencyMode: 3,
    });
    // Others see the settings, never the key.
    const seen = await bob.get<LiveVideo>(`/api/v1/videos/live/${created.video.uuid}`);
    expect(seen.streamKey).toBeUndefined();
    expect(seen.rtmpUrl).toBeNull();
    const anonymous = await server.api.get<LiveVideo>(`/api/v1/videos/live/${created.video.uuid}`);
    expect(anonymous.streamKey).toBeUndefined();

    // A live waiting for its stream is not listed (PeerTube lists published videos only).
    const lives = await server.api.get<ResultList<{ uuid: string }>>('/api/v1/videos', { isLive: true });
    expect(lives.data.map((v) => v.uuid)).not.toContain(created.video.uuid);
  });

  it('updates the settings (JSON) and regenerates the key', async () => {
    const { video } = await alice.request<{ video: { id: number } }>('POST', '/api/v1/videos/live', {
      json: { channelId: aliceChannel, name: 'Permanent stream', permanentLive: true },
    });
    const before = await alice.get<LiveVideo>(`/api/v1/videos/live/${video.id}`);
    expect(before).toMatchObject({ permanentLive: true, saveReplay: false, replaySettings: null, latencyMode: 1 });
    await alice.request('PUT', `/api/v1/videos/live/${video.id}`, { json: { saveReplay: true, replaySettings: { privacy: 3 }, latencyMode: 2 } });
    const after = await alice.get<LiveVideo>(`/api/v1/videos/live/${video.id}`);
    expect(after).toMatchObject({ permanentLive: true, saveReplay: true, replaySettings: { privacy: 3 }, latencyMode: 2, streamKey: before.streamKey });
    const regenerated = await alice.request<LiveVideo>('POST', `/api/v1/videos/live/${video.id}/regenerate-stream-key`);
    expect(regenerated.streamKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(regenerated.streamKey).not.toBe(before.streamKey);
    const sessions = await alice.get<ResultList<unknown>>(`/api/v1/videos/live/${video.id}/sessions`);
    expect(sessions).toEqual({ total: 0, data: [] });
  });

  it('refuses bad input, strangers and missing lives', async () => {
    // 401 without a token
    await expectProblem(server.api.request('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'x live' } }), 401);
    // 400: bad fields
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'x' } }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'Latency', latencyMode: 7 } }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'Replay', replaySettings: { privacy: 9 } } }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { json: { channelId: 999999, name: 'No channel' } }), 400, 'video_channel_not_found');
    // 403: someone else's channel
    await expectProblem(bob.request('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'Not mine' } }), 403);
    const { video } = await alice.request<{ video: { id: number } }>('POST', '/api/v1/videos/live', { json: { channelId: aliceChannel, name: 'Guarded' } });
    await expectProblem(bob.request('PUT', `/api/v1/videos/live/${video.id}`, { json: { saveReplay: true } }), 403);
    await expectProblem(bob.get(`/api/v1/videos/live/${video.id}/sessions`), 403);
    await expectProblem(bob.request('POST', `/api/v1/videos/live/${video.id}/regenerate-stream-key`), 403);
    await expectProblem(alice.request('PUT', `/api/v1/videos/live/${video.id}`, { json: { permanentLive: 'maybe' } }), 400, 'invalid_params');
    await expectProblem(alice.request('PUT', `/api/v1/videos/live/${video.id}`, { json: { streamKey: 'mine' } }), 400, 'invalid_params');
    // 404: unknown video, or a video that is not a live
    await expectProblem(alice.get('/api/v1/videos/live/999999'), 404, 'video_not_found');
    await expectProblem(alice.request('PUT', '/api/v1/videos/live/999999', { json: {} }), 404);
    await expectProblem(server.api.get(`/api/v1/videos/${video.id}/live-session`), 404);
  });

  const liveForm = (name: string, files: Record<string, Buffer>) => {
    const form = new FormData();
    form.append('channelId', String(aliceChannel));
    form.append('name', name);
    for (const [field, bytes] of Object.entries(files)) form.append(field, new Blob([bytes], { type: 'image/png' }), `${field}.png`);
    return form;
  };

  it('keeps the pictures uploaded with a live (multipart thumbnailfile, previewfile); PUT /videos/:id changes them; without, placeholders', async () => {
    const created = await alice.request<{ video: { uuid: string } }>('POST', '/api/v1/videos/live', {
      body: liveForm('Pictured live', { thumbnailfile: await solidPng('#ff0000'), previewfile: await solidPng('#0000ff') }),
    });
    const video = await server.api.get<VideoDetails>(`/api/v1/videos/${created.video.uuid}`);
    expect(video.thumbnailPath).toMatch(/^\/lazy-static\/thumbnails\/.+\.jpg$/);
    expect(video.previewPath).toMatch(/^\/lazy-static\/previews\/.+\.jpg$/);
    expect(await pictureKind(server.url + video.thumbnailPath)).toBe('red');
    expect(await pictureKind(server.url + video.previewPath)).toBe('blue');

    // A thumbnail alone is the preview too, as for uploads.
    const single = await alice.request<{ video: { uuid: string } }>('POST', '/api/v1/videos/live', { body: liveForm('Thumbnail only', { thumbnailfile: await solidPng('#00ff00') }) });
    const singleVideo = await server.api.get<VideoDetails>(`/api/v1/videos/${single.video.uuid}`);
    expect(await pictureKind(server.url + singleVideo.previewPath)).toBe('green');

    // The update path takes a live's pictures as any video's.
    await alice.request('PUT', `/api/v1/videos/${created.video.uuid}`, { body: liveForm('Pictured live', { thumbnailfile: await solidPng('#00ff00') }) });
    const updated = await server.api.get<VideoDetails>(`/api/v1/videos/${created.video.uuid}`);
    expect(updated.thumbnailPath).not.toBe(video.thumbnailPath);
    expect(await pictureKind(server.url + updated.thumbnailPath)).toBe('green');
    expect(await pictureKind(server.url + updated.previewPath)).toBe('blue');

    const plain = await createLive(alice, aliceChannel, { name: 'No pictures' });
    const plainVideo = await server.api.get<VideoDetails>(`/api/v1/videos/${plain.uuid}`);
    expect(await pictureKind(server.url + plainVideo.thumbnailPath)).toBe('dark');
    expect(await pictureKind(server.url + plainVideo.previewPath)).toBe('dark');
  });

  it('refuses a bad picture at creation with no live and no picture left: not an image 400, too large 413, another file field 400', async () => {
    const lives = async () => (await alice.get<ResultList<unknown>>('/api/v1/users/me/videos', { count: 100 })).total;
    const pictures = async () => (await readdir(join(server.storage, 'thumbnails'))).length + (await readdir(join(server.storage, 'previews'))).length;
    const before = { lives: await lives(), pictures: await pictures() };
    const notImage = Buffer.from('this is not an image at all, only some text bytes');
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { body: liveForm('Bad thumbnail', { thumbnailfile: notImage }) }), 400, 'invalid_image_file');
    // A good thumbnail beside a bad preview: the thumbnail made first is removed with the refusal.
    await expectProblem(
      alice.request('POST', '/api/v1/videos/live', { body: liveForm('Bad preview', { thumbnailfile: await solidPng('#ff0000'), previewfile: notImage }) }),
      400,
      'invalid_image_file',
    );
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { body: liveForm('Huge thumbnail', { thumbnailfile: Buffer.alloc(8 * 1024 * 1024 + 1, 1) }) }), 413, 'max_file_size_reached');
    await expectProblem(alice.request('POST', '/api/v1/videos/live', { body: liveForm('With a video', { videofile: await solidPng('#ff0000') }) }), 400, 'invalid_params');
    expect({ lives: await lives(), pictures: await pictures() }).toEqual(before);
  });

  it('ends a session at the maximum duration, with that reason in the session list', async () => {
    const { id, live } = await createLive(alice, aliceChannel, { name: 'Too long' });
    const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    try {
      await waitFor(async () => (await alice.get<ResultList<unknown>>(`/api/v1/videos/live/${id}/sessions`)).total === 1, 10_000, 100);
      // Settings and key are frozen while it broadcasts.
      await expectProblem(alice.request('PUT', `/api/v1/videos/live/${id}`, { json: { saveReplay: true } }), 400, 'live_already_started');
      await expectProblem(alice.request('POST', `/api/v1/videos/live/${id}/regenerate-stream-key`), 409, 'live_already_started');
      const session = await waitFor(async () => {
        const s = (await alice.get<ResultList<{ endDate: string | null; error: number | null }>>(`/api/v1/videos/live/${id}/sessions`)).data[0];
        return s?.endDate ? s : null;
      }, 10_000, 200);
      expect(session.error).toBe(2);
      expect((await server.api.get<VideoDetails>(`/api/v1/videos/${id}`)).state.id).toBe(5);
      // The publisher was cut off.
      expect(await Promise.race([publisher.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 5000))])).toBe('exited');
    } finally {
      await publisher.kill();
    }
  });

  it('refuses lives when the instance disables them or replays', async () => {
    const off = await TestServer.start({ live: { enabled: false, allow_replay: false, rtmp: { port: await freePort() } } });
    try {
      const admin = await off.login();
      const me = await admin.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me');
      await expectProblem(admin.request('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'Nope' } }), 403, 'live_not_enabled');
      const cfg = await off.api.get<{ live: { enabled: boolean; allowReplay: boolean } }>('/api/v1/config');
      expect(cfg.live).toMatchObject({ enabled: false, allowReplay: false });
    } finally {
      await off.stop();
    }
    const noReplay = await TestServer.start({ live: { enabled: true, allow_replay: false, max_user_lives: 1, max_instance_lives: 2, rtmp: { enabled: false } } });
    try {
      const admin = await noReplay.login();
      const me = await admin.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me');
      await expectProblem(admin.request('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'Replay me', saveReplay: true } }), 403, 'live_not_allowing_replay');
      const { video } = await admin.request<{ video: { id: number } }>('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'No ingest' } });
      expect((await admin.get<LiveVideo>(`/api/v1/videos/live/${video.id}`)).rtmpUrl).toBeNull();

      // Limits count lives not ended, waiting ones included (as PeerTube), per user and per instance.
      await expectProblem(admin.request('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'Second' } }), 403, 'max_user_lives_limit_reached');
      await admin.request('POST', '/api/v1/users', { json: { username: 'carol', password: 'password1', email: 'carol@example.org', role: 2 } });
      const carol = await noReplay.login('carol', 'password1');
      const carolChannel = (await carol.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
      const { video: carols } = await carol.request<{ video: { id: number } }>('POST', '/api/v1/videos/live', { json: { channelId: carolChannel, name: 'Carol live' } });
      await admin.request('DELETE', `/api/v1/videos/${video.id}`);
      await expectProblem(carol.request('POST', '/api/v1/videos/live', { json: { channelId: carolChannel, name: 'Carol again' } }), 403, 'max_user_lives_limit_reached');
      const { video: again } = await admin.request<{ video: { id: number } }>('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'Once more' } });
      expect(again.id).toBeGreaterThan(carols.id);
      // Two lives waiting on the instance: the instance limit comes first, whoever asks.
      await expectProblem(admin.request('POST', '/api/v1/videos/live', { json: { channelId: me.videoChannels[0]!.id, name: 'Third' } }), 403, 'max_instance_lives_limit_reached');
    } finally {
      await noReplay.stop();
    }
  });
});
