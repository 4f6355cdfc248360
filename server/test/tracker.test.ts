import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
    const clip = join(server.storage, 'clip.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip]);
    const root = await server.login();
    const me = await root.get<{ videoChannels: Array<{ id: number }> }>('/api/v1/users/me');
    const form = new FormData();
    form.append('name', 'tracked video');
    form.append('channelId', String(me.videoChannels[0].id));
    form.append('videofile', new Blob([readFileSync(clip)], { type: 'video/mp4' }), 'clip.mp4');
    const { video } = await root.request<{ video: { id: number; uuid: string } }>('POST', '/api/v1/videos/upload', { body: form });
    // The hashes the transcoding module stores beside a master playlist (here written by hand).
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d,mp4a.40.2"\nx-240.m3u8\n';
    const hashes = swarmInfoHashesFromMaster(video.uuid, master);
    await server.sql(
      `INSERT INTO video_streaming_playlist (video_id, playlist_filename, segments_sha256_filename, p2p_media_loader_info_hashes)
       VALUES ($1, 'm.m3u8', 's.json', $2)`,
      [video.id, hashes],
    );
    await server.restart();
    const ok = await announce(`ws://127.0.0.1:${server.port}/tracker/socket`, hashes[0]);
    expect(ok['failure reason']).toBeUndefined();
    expect(ok.interval).toBeGreaterThan(0);
    const again = await server.login();
    await again.request('DELETE', `/api/v1/videos/${video.id}`);
    const gone = await announce(`ws://127.0.0.1:${server.port}/tracker/socket`, hashes[0]);
    expect(gone['failure reason']).toBe('unknown swarm');
  });

  it('does not answer on other upgrade paths', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/tracker/other`);
        ws.on('open', () => resolve('open'));
        ws.on('error', reject);
        ws.on('close', () => reject(new Error('closed')));
      }),
    ).rejects.toThrow();
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
