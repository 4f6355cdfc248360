import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { swarmInfoHashesFromMaster, variantInfoHash } from '@flotilla/shared';
import { TestServer } from './helpers/test-server';

/** Sends one announce as p2p-media-loader's tracker client does and returns the tracker's answer. */
function announce(url: string, infoHash: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('no answer from tracker')), 5000);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          action: 'announce',
          info_hash: infoHash, // 20 ASCII characters, sent as a binary string
          peer_id: `-PM0203-${randomBytes(6).toString('hex')}`,
          numwant: 0,
          event: 'started',
          uploaded: 0,
          downloaded: 0,
          offers: [],
        }),
      );
    });
    ws.on('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(JSON.parse(data.toString()));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Uploads a 2 s clip with this privacy and stores the swarm hashes of a master playlist for it (by hand). */
async function videoWithSwarms(server: TestServer, name: string, privacy: number): Promise<{ id: number; uuid: string; hashes: string[] }> {
  const clip = join(server.storage, 'clip.mp4');
  if (!existsSync(clip)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip]);
  }
  const root = await server.login();
  const me = await root.get<{ videoChannels: Array<{ id: number }> }>('/api/v1/users/me');
  const form = new FormData();
  form.append('name', name);
  form.append('privacy', String(privacy));
  form.append('channelId', String(me.videoChannels[0].id));
  form.append('videofile', new Blob([readFileSync(clip)], { type: 'video/mp4' }), 'clip.mp4');
  const { video } = await root.request<{ video: { id: number; uuid: string } }>('POST', '/api/v1/videos/upload', { body: form });
  const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d,mp4a.40.2"\nx-240.m3u8\n';
  const hashes = swarmInfoHashesFromMaster(video.uuid, master);
  await server.sql(
    `INSERT INTO video_streaming_playlist (video_id, playlist_filename, segments_sha256_filename, p2p_media_loader_info_hashes)
     VALUES ($1, 'm.m3u8', 's.json', $2)`,
    [video.id, hashes],
  );
  return { ...video, hashes };
}

/** Announces until the tracker gives the expected failure reason (undefined: admitted); the event that changes it is asynchronous. */
async function announceUntil(url: string, infoHash: string, reason: string | undefined, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await announce(url, infoHash);
    if (res['failure reason'] === reason) return;
    if (Date.now() > deadline) throw new Error(`tracker answered ${JSON.stringify(res)}, expected failure reason ${reason}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('WebSocket tracker at /tracker/socket', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ transcoding: { enabled: false } });
  });
  afterAll(async () => server?.stop());

  it('refuses swarms of videos this instance does not know', async () => {
    const res = await announce(`ws://127.0.0.1:${server.port}/tracker/socket`, variantInfoHash('00000000-0000-4000-8000-000000000000', 'x'));
    expect(res['failure reason']).toBe('unknown swarm');
  });

  it('admits the swarms of a known video’s master playlist, and forgets them when it is deleted', async () => {
    const video = await videoWithSwarms(server, 'tracked video', 1);
    await server.restart();
    const ok = await announce(`ws://127.0.0.1:${server.port}/tracker/socket`, video.hashes[0]);
    expect(ok['failure reason']).toBeUndefined();
    expect(ok.interval).toBeGreaterThan(0);
    const again = await server.login();
    await again.request('DELETE', `/api/v1/videos/${video.id}`);
    await announceUntil(`ws://127.0.0.1:${server.port}/tracker/socket`, video.hashes[0], 'unknown swarm');
  });

  it('never admits the swarms of private or internal videos; follows privacy changes both ways at once', async () => {
    const url = `ws://127.0.0.1:${server.port}/tracker/socket`;
    const priv = await videoWithSwarms(server, 'private video', 3);
    const internal = await videoWithSwarms(server, 'internal video', 4);
    const unlisted = await videoWithSwarms(server, 'unlisted video', 2);
    await server.restart();
    expect((await announce(url, priv.hashes[0]))['failure reason']).toBe('unknown swarm');
    expect((await announce(url, internal.hashes[0]))['failure reason']).toBe('unknown swarm');
    expect((await announce(url, unlisted.hashes[0]))['failure reason']).toBeUndefined();

    const root = await server.login();
    await root.request('PUT', `/api/v1/videos/${priv.id}`, { json: { privacy: 1 } });
    await announceUntil(url, priv.hashes[0], undefined);
    await root.request('PUT', `/api/v1/videos/${priv.id}`, { json: { privacy: 4 } });
    await announceUntil(url, priv.hashes[0], 'unknown swarm');
    await root.request('PUT', `/api/v1/videos/${unlisted.id}`, { json: { privacy: 3 } });
    await announceUntil(url, unlisted.hashes[0], 'unknown swarm');
  });

  it('drops the swarms of a video a moderator hides, also after a restart, and admits them again when it is shown', async () => {
    const url = `ws://127.0.0.1:${server.port}/tracker/socket`;
    const video = await videoWithSwarms(server, 'video to hide', 1);
    await server.restart();
    expect((await announce(url, video.hashes[0]))['failure reason']).toBeUndefined();
    const root = await server.login();
    await root.request('POST', `/api/v1/videos/${video.id}/blacklist`, { json: { reason: 'review' } });
    await announceUntil(url, video.hashes[0], 'unknown swarm');
    await server.restart();
    expect((await announce(url, video.hashes[0]))['failure reason']).toBe('unknown swarm');
    await (await server.login()).request('DELETE', `/api/v1/videos/${video.id}/blacklist`);
    await announceUntil(url, video.hashes[0], undefined);
  });

  it('does not answer on other upgrade paths (the socket is dropped unanswered, not refused by the tracker)', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/tracker/other`);
      ws.on('open', () => resolve('open'));
      ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      ws.on('error', (err) => resolve(`error ${err.message}`));
    });
    expect(outcome).toBe('error socket hang up');
  });

  it('limits open sockets per IP', async () => {
    const sockets: WebSocket[] = [];
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/tracker/socket`);
        ws.on('open', () => {
          sockets.push(ws);
          resolve();
        });
        ws.on('unexpected-response', (_req, res) => {
          if (res.statusCode === 429) refused++;
          resolve();
        });
        ws.on('error', () => resolve());
      });
    }
    expect(sockets.length).toBe(32);
    expect(refused).toBe(8);
    sockets.forEach((s) => s.close());
  });
});

describe('tracker announce limit per IP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ transcoding: { enabled: false }, p2p: { max_announces_per_minute: 3 } });
  });
  afterAll(async () => server?.stop());

  it('answers announces past p2p.max_announces_per_minute with a failure, even for a known swarm', async () => {
    const video = await videoWithSwarms(server, 'limited video', 1);
    await server.restart();
    const url = `ws://127.0.0.1:${server.port}/tracker/socket`;
    for (let i = 0; i < 3; i++) expect((await announce(url, video.hashes[0]))['failure reason']).toBeUndefined();
    expect((await announce(url, video.hashes[0]))['failure reason']).toBe('too many announces, slow down');
  });
});
