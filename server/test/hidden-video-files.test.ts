import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User, VideoDetails } from '@flotilla/shared';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../client/src/api/http';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/** A hidden (blacklisted) video's files are served like a private video's: owner and moderators only. */
describe('hidden video files', () => {
  let server: TestServer;
  let root: ApiClient;
  let dir: string;
  let video: VideoDetails;
  let tokens: Record<'owner' | 'other' | 'root', string>;

  const get = async (path: string, token?: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    await res.arrayBuffer();
    return { status: res.status, cache: res.headers.get('cache-control') };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-hidden-'));
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2 });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    root = await server.login();
    for (const u of ['owner', 'other']) {
      await root.request('POST', '/api/v1/users', { json: { username: u, password: 'password1', email: `${u}@example.org`, role: 2 } });
    }
    const owner = await server.login('owner', 'password1');
    const other = await server.login('other', 'password1');
    tokens = { owner: owner.accessToken!, other: other.accessToken!, root: root.accessToken! };
    const channelId = (await owner.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video: v } = await legacyUpload(owner, clip, { name: 'To be hidden', channelId: String(channelId), privacy: '1' });
    video = await owner.get<VideoDetails>(`/api/v1/videos/${v.uuid}`);
    const hls = join(server.storage, 'streaming-playlists', 'hls', video.uuid);
    await mkdir(hls, { recursive: true });
    await writeFile(join(hls, 'h-master.m3u8'), '#EXTM3U\n');
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves a public video to anyone, then only to its owner and moderators once hidden', async () => {
    const file = new URL(video.files[0].fileUrl).pathname;
    const playlist = `/static/streaming-playlists/hls/${video.uuid}/h-master.m3u8`;
    expect((await get(file)).status).toBe(200);
    await root.request('POST', `/api/v1/videos/${video.uuid}/blacklist`, { json: { reason: 'under review' } });
    // At once: the process that hid it forgets its cached state (no wait for the cache's few seconds).

    for (const path of [file, playlist]) {
      expect((await get(path)).status, path).toBe(401);
      expect((await get(path, tokens.other)).status, path).toBe(403);
      const own = await get(path, tokens.owner);
      expect(own.status, path).toBe(200);
      expect(own.cache).toMatch(/^private/);
      expect((await get(path, tokens.root)).status, path).toBe(200);
    }
    expect((await get(new URL(video.files[0].fileDownloadUrl).pathname)).status).toBe(401);
    expect((await get(new URL(video.files[0].fileDownloadUrl).pathname, tokens.other)).status).toBe(403);

    await root.request('DELETE', `/api/v1/videos/${video.uuid}/blacklist`);
    expect((await get(file)).status).toBe(200);
  }, 60_000);
});
