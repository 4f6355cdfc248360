import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User, VideoDetails, VideoFileToken } from '@flotilla/shared';
import IORedis from 'ioredis';
import { ApiClient } from '../../client/src/api/http';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/** A raw GET: the path goes out exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files: ranges, types, caching, privacy, traversal', () => {
  let server: TestServer;
  let root: ApiClient;
  let bob: ApiClient;
  let dir: string;
  let clip: string;
  let channelId: number;
  let publicVideo: VideoDetails;
  let privateVideo: VideoDetails;
  let internalVideo: VideoDetails;

  const upload = async (name: string, privacy: number, extra: Record<string, string> = {}) => {
    const { video } = await legacyUpload(root, clip, { name, channelId: String(channelId), privacy: String(privacy), ...extra });
    return root.get<VideoDetails>(`/api/v1/videos/${video.uuid}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-clips-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 3 });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'bob', password: 'password1', email: 'bob@example.org', role: 2 } });
    bob = await server.login('bob', 'password1');
    channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    publicVideo = await upload('Public video', 1);
    privateVideo = await upload('Private video', 3);
    internalVideo = await upload('Internal video', 4);
    // What the transcoding module writes for a video's HLS renditions.
    const hls = join(server.storage, 'streaming-playlists', 'hls', publicVideo.uuid);
    await mkdir(hls, { recursive: true });
    await writeFile(join(hls, 'abc-master.m3u8'), '#EXTM3U\n');
    await writeFile(join(hls, 'abc-segments-sha256.json'), '{}');
    await writeFile(join(hls, 'abc-360-fragmented.mp4'), Buffer.alloc(5000, 1));
    const privHls = join(server.storage, 'streaming-playlists', 'hls', privateVideo.uuid);
    await mkdir(privHls, { recursive: true });
    await writeFile(join(privHls, 'p-master.m3u8'), '#EXTM3U\n');
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves web videos with ranges, content type, CORS and immutable caching', async () => {
    const url = new URL(publicVideo.files[0].fileUrl);
    expect(url.pathname).toMatch(/^\/static\/web-videos\/[^/]+\.mp4$/);
    const res = await rawGet(server.port, url.pathname, { Range: 'bytes=0-99', Origin: 'http://elsewhere.example' });
    expect(res.status).toBe(206);
    expect(res.body.length).toBe(100);
    expect(res.headers['content-range']).toBe(`bytes 0-99/${publicVideo.files[0].size}`);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toContain('immutable');
    const head = await fetch(publicVideo.files[0].fileUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    const dl = await fetch(publicVideo.files[0].fileDownloadUrl);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(/attachment; filename="Public video-360p\.mp4"/);
    expect((await dl.arrayBuffer()).byteLength).toBe(publicVideo.files[0].size);
    expect((await fetch(publicVideo.files[0].torrentDownloadUrl!)).headers.get('content-type')).toBe('application/x-bittorrent');
  });

  it('serves HLS files: playlists short-lived, fragments immutable', async () => {
    const base = `/static/streaming-playlists/hls/${publicVideo.uuid}/`;
    const master = await rawGet(server.port, base + 'abc-master.m3u8');
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('public, max-age=2');
    const sha = await rawGet(server.port, base + 'abc-segments-sha256.json');
    expect(sha.headers['content-type']).toMatch(/^application\/json/);
    const frag = await rawGet(server.port, base + 'abc-360-fragmented.mp4', { Range: 'bytes=100-199' });
    expect(frag.status).toBe(206);
    expect(frag.headers['content-type']).toBe('video/mp4');
    expect(frag.headers['cache-control']).toContain('immutable');
    expect((await rawGet(server.port, base + 'missing.m3u8')).status).toBe(404);
  });

  it('serves private and internal files only under private/ with a bearer token or a video file token', async () => {
    const privUrl = new URL(privateVideo.files[0].fileUrl);
    expect(privUrl.pathname).toMatch(/^\/static\/web-videos\/private\//);
    const publicPath = privUrl.pathname.replace('/private/', '/');
    expect((await rawGet(server.port, publicPath)).status).toBe(403);
    expect((await rawGet(server.port, privUrl.pathname)).status).toBe(401);
    expect((await rawGet(server.port, privUrl.pathname, { Authorization: `Bearer ${bob.accessToken}` })).status).toBe(403);
    expect((await rawGet(server.port, privUrl.pathname, { Authorization: `Bearer ${root.accessToken}` })).status).toBe(200);
    expect((await rawGet(server.port, privUrl.pathname, { Authorization: 'Bearer not-a-token' })).status).toBe(401);

    const { files } = await root.request<VideoFileToken>('POST', `/api/v1/videos/${privateVideo.uuid}/token`);
    expect(new Date(files.expires).getTime()).toBeGreaterThan(Date.now());
    expect((await rawGet(server.port, `${privUrl.pathname}?videoFileToken=${files.token}`)).status).toBe(200);
    expect((await rawGet(server.port, `${privUrl.pathname}?videoFileToken=wrongtoken123`)).status).toBe(401);
    // A token is bound to its video.
    const internalPath = new URL(internalVideo.files[0].fileUrl).pathname;
    expect((await rawGet(server.port, `${internalPath}?videoFileToken=${files.token}`)).status).toBe(401);
    expect((await rawGet(server.port, internalPath, { Authorization: `Bearer ${bob.accessToken}` })).status).toBe(200);
    expect((await rawGet(server.port, internalPath)).status).toBe(401);
    expect((await new ApiClient(server.url).raw('POST', `/api/v1/videos/${privateVideo.uuid}/token`).catch((e) => e)).status).toBe(401);
    expect((await bob.raw('POST', `/api/v1/videos/${privateVideo.uuid}/token`).catch((e) => e)).status).toBe(403);

    const hlsPublic = `/static/streaming-playlists/hls/${privateVideo.uuid}/p-master.m3u8`;
    const hlsPrivate = `/static/streaming-playlists/hls/private/${privateVideo.uuid}/p-master.m3u8`;
    expect((await rawGet(server.port, hlsPublic)).status).toBe(403);
    expect((await rawGet(server.port, hlsPrivate)).status).toBe(401);
    expect((await rawGet(server.port, `${hlsPrivate}?videoFileToken=${files.token}`)).status).toBe(200);
    // Downloads and torrents of a private video follow the same rule.
    expect((await rawGet(server.port, new URL(privateVideo.files[0].fileDownloadUrl).pathname)).status).toBe(401);
    expect((await rawGet(server.port, new URL(privateVideo.files[0].torrentUrl!).pathname)).status).toBe(401);
    expect((await rawGet(server.port, new URL(privateVideo.files[0].torrentUrl!).pathname, { Authorization: `Bearer ${root.accessToken}` })).status).toBe(200);

    // Making the video public moves its URLs out of private/ (one process's privacy cache is dropped at once).
    await root.request('PUT', `/api/v1/videos/${privateVideo.uuid}`, { json: { privacy: 1 } });
    const now = await root.get<VideoDetails>(`/api/v1/videos/${privateVideo.uuid}`);
    expect(new URL(now.files[0].fileUrl).pathname).toBe(publicPath);
    expect((await rawGet(server.port, publicPath)).status).toBe(200);
  });

  it('refuses the old public URLs of a video made private at once (web video, HLS, download, torrent), and the public path of an internal video', async () => {
    const v = await upload('Public then private', 1);
    const hls = join(server.storage, 'streaming-playlists', 'hls', v.uuid);
    await mkdir(hls, { recursive: true });
    await writeFile(join(hls, 'q-master.m3u8'), '#EXTM3U\n');
    await writeFile(join(hls, 'q-360-fragmented.mp4'), Buffer.alloc(1000, 1));
    const publicUrls = [
      new URL(v.files[0].fileUrl).pathname,
      new URL(v.files[0].fileDownloadUrl).pathname,
      new URL(v.files[0].torrentUrl!).pathname,
      `/static/streaming-playlists/hls/${v.uuid}/q-master.m3u8`,
      `/static/streaming-playlists/hls/${v.uuid}/q-360-fragmented.mp4`,
    ];
    // Served while public: this also fills the 5 s privacy cache the change must not wait for.
    for (const path of publicUrls) expect([path, (await rawGet(server.port, path)).status]).toEqual([path, 200]);
    await root.request('PUT', `/api/v1/videos/${v.uuid}`, { json: { privacy: 3 } });
    for (const path of publicUrls) expect([path, (await rawGet(server.port, path)).status]).toEqual([path, path.includes('/download/') || path.includes('/torrents/') ? 401 : 403]);

    const internalPublic = new URL(internalVideo.files[0].fileUrl).pathname.replace('/private/', '/');
    expect((await rawGet(server.port, internalPublic)).status).toBe(403);
    expect((await rawGet(server.port, internalPublic, { Authorization: `Bearer ${bob.accessToken}` })).status).toBe(403);
  });

  it('stops honouring a videoFileToken when it expires (a two-hour Redis key)', async () => {
    const path = new URL(internalVideo.files[0].fileUrl).pathname;
    expect(path).toMatch(/^\/static\/web-videos\/private\//);
    const { files } = await root.request<VideoFileToken>('POST', `/api/v1/videos/${internalVideo.uuid}/token`);
    expect(new Date(files.expires).getTime() - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect((await rawGet(server.port, `${path}?videoFileToken=${files.token}`)).status).toBe(200);
    const redis = new IORedis({ host: '127.0.0.1', port: 6379 });
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${server.redisPrefix}*${files.token}`, 'COUNT', 10_000);
      expect(keys).toHaveLength(1);
      expect(await redis.ttl(keys[0])).toBeGreaterThan(2 * 3600 - 60);
      // Let Redis expire it now instead of waiting two hours.
      await redis.pexpire(keys[0], 1);
      while (await redis.exists(keys[0])) await new Promise((r) => setTimeout(r, 5));
    } finally {
      redis.disconnect();
    }
    expect((await rawGet(server.port, `${path}?videoFileToken=${files.token}`)).status).toBe(401);
  });

  it('refuses downloads when the owner disabled them, except to the owner', async () => {
    const v = await upload('No download', 1, { downloadEnabled: 'false' });
    const path = new URL(v.files[0].fileDownloadUrl).pathname;
    expect((await rawGet(server.port, path)).status).toBe(403);
    expect((await rawGet(server.port, path, { Authorization: `Bearer ${root.accessToken}` })).status).toBe(200);
  });

  it('never lets a path built from input leave its folder', async () => {
    await writeFile(join(server.storage, 'secret.txt'), 'TOP-SECRET');
    const uuid = publicVideo.uuid;
    const attempts = [
      '/static/web-videos/..%2F..%2Fsecret.txt',
      '/static/web-videos/..%2fsecret.txt',
      '/static/web-videos/%2e%2e%2fsecret.txt',
      '/static/web-videos/%2e%2e',
      '/static/web-videos/..',
      '/static/web-videos/private/..%2F..%2Fsecret.txt',
      '/static/web-videos/%2Fetc%2Fpasswd',
      '/static/web-videos//etc/passwd',
      '/static/web-videos/../../secret.txt',
      `/static/streaming-playlists/hls/${uuid}/..%2F..%2F..%2Fsecret.txt`,
      `/static/streaming-playlists/hls/${uuid}/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt`,
      '/static/streaming-playlists/hls/..%2F..%2F/secret.txt',
      `/static/streaming-playlists/hls/private/${uuid}/..%2F..%2F..%2F..%2Fsecret.txt`,
      '/lazy-static/thumbnails/..%2Fsecret.txt',
      '/lazy-static/previews/..%5C..%5Csecret.txt',
      '/lazy-static/torrents/..%2Fsecret.txt',
      '/download/torrents/..%2F..%2Fsecret.txt',
      '/download/videos/..%2F..%2Fsecret.txt',
      `/download/videos/${uuid}-360.mp4%00.txt`,
      '/lazy-static/thumbnails/%00',
      '/lazy-static/thumbnails/.hidden',
    ];
    for (const path of attempts) {
      const res = await rawGet(server.port, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body.toString(), path).not.toContain('TOP-SECRET');
      expect(res.body.toString(), path).not.toContain('root:');
    }
  });
});
