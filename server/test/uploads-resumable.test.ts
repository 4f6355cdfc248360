import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, User, Video, VideoDetails } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { assertProblemShape, expectProblem, TestServer } from './helpers/test-server';
import { initResumable, legacyUpload, makeClip, putChunk, resumableUpload } from './helpers/videos';

/** Every file under the server's storage except its config (what a refused upload must not leave). */
async function storedFiles(server: TestServer): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.name !== 'test-config.yaml') out.push(join(dir, e.name));
    }
  };
  await walk(server.storage);
  return out;
}

describe('resumable upload', () => {
  let server: TestServer;
  let root: ApiClient;
  let dir: string;
  let clip: string;
  let channelId: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-clips-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 10 });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, uploads: { max_chunk_size: 8 * 1024 * 1024 } });
    root = await server.login();
    channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a 10 s clip in two chunks: 308 then 200, probed, with a thumbnail and a torrent', async () => {
    const size = readFileSync(clip).length;
    const half = Math.ceil(size / 2);
    const { statuses, created, location } = await resumableUpload(root, clip, { name: 'Two chunks', channelId, filename: 'clip.mp4', tags: ['alpha', 'beta'] }, half);
    expect(statuses).toEqual([308, 200]);
    expect(created.video.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.video.shortUUID.length).toBeGreaterThan(15);

    const video = await root.get<VideoDetails>(`/api/v1/videos/${created.video.shortUUID}`);
    expect(video.id).toBe(created.video.id);
    expect(video.duration).toBe(10);
    expect(video.name).toBe('Two chunks');
    expect(video.tags).toEqual(['alpha', 'beta']);
    expect(video.state.id).toBe(2); // transcoding is enabled in the test config
    expect(video.files[0].resolution).toEqual({ id: 360, label: '360p' });
    expect(video.files[0].size).toBe(size);
    expect(video.files[0].torrentUrl).toMatch(/\/lazy-static\/torrents\/.+\.torrent$/);
    expect(video.files[0].magnetUri).toMatch(/^magnet:\?xs=.+&xt=urn:btih:[0-9a-f]{40}/);
    const thumb = await fetch(server.url + video.thumbnailPath);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await thumb.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect((await fetch(server.url + video.previewPath)).status).toBe(200);

    // Asking where to resume after completion answers the video again; DELETE then frees the session.
    const again = await root.raw('PUT', location, { headers: { 'Content-Range': `bytes */${size}` } });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text).video.id).toBe(created.video.id);
    expect((await root.raw('DELETE', location)).status).toBe(204);
    await expectProblem(root.raw('PUT', location, { headers: { 'Content-Range': `bytes */${size}` } }), 404, 'upload_not_found');
    expect((await server.sql('SELECT id FROM upload_session')).length).toBe(0);
    const source = await server.sql<{ input_filename: string }>('SELECT input_filename FROM video_source WHERE video_id = $1', [video.id]);
    expect(source[0].input_filename).toBe('clip.mp4');

    // Waiting for transcoding: hidden from others until published, visible to its owner.
    const anon = new ApiClient(server.url);
    await expectProblem(anon.get(`/api/v1/videos/${video.uuid}`), 401);
    expect((await anon.get<ResultList<Video>>('/api/v1/videos')).total).toBe(0);
    expect((await root.get<ResultList<Video>>('/api/v1/users/me/videos')).data.map((v) => v.uuid)).toContain(video.uuid);
    // …unless its owner chose not to wait (PeerTube lists those while they transcode).
    const eager = await resumableUpload(root, clip, { name: 'No wait', channelId, filename: 'clip.mp4', waitTranscoding: false }, size);
    expect(eager.statuses).toEqual([200]);
    expect((await anon.get<ResultList<Video>>('/api/v1/videos')).data.map((v) => v.name)).toEqual(['No wait']);
    expect((await root.raw('DELETE', eager.location)).status).toBe(204);
  });

  it('answers where to resume, refuses bad ranges, out-of-order chunks and size mismatches', async () => {
    const data = readFileSync(clip);
    const location = await initResumable(root, data.length, { name: 'Ranges', channelId, filename: 'clip.mp4' });
    const status = await root.raw('PUT', location, { headers: { 'Content-Range': `bytes */${data.length}` }, okStatuses: [308] });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull();

    const first = await putChunk(root, location, data.subarray(0, 1000), 0, data.length);
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-999');
    await expectProblem(putChunk(root, location, data.subarray(2000, 3000), 2000, data.length), 409, 'upload_range_mismatch');
    await expectProblem(putChunk(root, location, data.subarray(1000, 2000), 1000, data.length + 1), 400, 'upload_size_mismatch');
    await expectProblem(
      root.raw('PUT', location, { body: data.subarray(1000, 2000), headers: { 'Content-Range': 'bytes 1000-999/12' } }),
      400,
      'upload_invalid_content_range',
    );
    // A re-sent chunk overlapping what is held only adds the missing bytes.
    const overlap = await putChunk(root, location, data.subarray(500, 1500), 500, data.length);
    expect(overlap.headers.get('range')).toBe('bytes=0-1499');
    const held = await putChunk(root, location, data.subarray(0, 1000), 0, data.length);
    expect(held.headers.get('range')).toBe('bytes=0-1499');
    await expectProblem(root.raw('PUT', location.replace(/upload_id=\w+/, 'upload_id=' + 'f'.repeat(32))), 404, 'upload_not_found');
    await expectProblem(root.raw('PUT', '/api/v1/videos/upload-resumable?upload_id=../../etc'), 404, 'upload_not_found');

    // Another user cannot touch it.
    await root.request('POST', '/api/v1/users', { json: { username: 'bob', password: 'password1', email: 'bob@example.org', role: 2 } });
    const bob = await server.login('bob', 'password1');
    await expectProblem(putChunk(bob, location, data.subarray(1500, 2000), 1500, data.length), 403);

    expect((await root.raw('DELETE', location)).status).toBe(204);
    await expectProblem(root.raw('DELETE', location), 404, 'upload_not_found');
    const parts = await readdir(join(server.storage, 'tmp', 'resumable'));
    expect(parts).toEqual([]);
  });

  it('serialises concurrent PUTs on one session: the same chunk three times at once is stored once, the file byte-identical', async () => {
    const data = readFileSync(clip);
    const half = Math.floor(data.length / 2);
    const location = await initResumable(root, data.length, { name: 'Concurrent', channelId, filename: 'clip.mp4' });
    const answers = await Promise.all([0, 1, 2].map(() => putChunk(root, location, data.subarray(0, half), 0, data.length)));
    // Each sees the whole chunk held (the later ones only find their bytes already there).
    expect(answers.map((a) => [a.status, a.headers.get('range')])).toEqual([0, 1, 2].map(() => [308, `bytes=0-${half - 1}`]));
    const parts = join(server.storage, 'tmp', 'resumable');
    const partFiles = await readdir(parts);
    expect(partFiles).toHaveLength(1);
    expect((await stat(join(parts, partFiles[0]))).size).toBe(half);
    const done = await putChunk(root, location, data.subarray(half), half, data.length);
    expect(done.status).toBe(200);
    const { video } = JSON.parse(done.text) as { video: { uuid: string } };
    const details = await root.get<VideoDetails>(`/api/v1/videos/${video.uuid}`);
    expect(Buffer.from(await (await fetch(details.files[0].fileUrl)).arrayBuffer()).equals(data)).toBe(true);
    // A finished session stays until the client DELETEs it (PeerTube's protocol); later tests count sessions.
    expect((await root.raw('DELETE', location)).status).toBe(204);
  });

  it('refuses a chunk over max_chunk_size (413) and a Content-Length that disagrees with Content-Range, storing none of their bytes', async () => {
    const total = 9 * 1024 * 1024;
    const location = await initResumable(root, total, { name: 'Too big chunk', channelId, filename: 'clip.mp4' });
    const over = Buffer.alloc(8 * 1024 * 1024 + 1, 7);
    await expectProblem(putChunk(root, location, over, 0, total), 413, 'upload_chunk_too_large');
    const offset = async () => (await root.raw('PUT', location, { headers: { 'Content-Range': `bytes */${total}` }, okStatuses: [308] })).headers.get('range');
    expect(await offset()).toBeNull();

    // 1000 bytes sent as 1000 (Content-Length) but announced as 1200 by Content-Range: fetch cannot
    // send such a request, node:http can.
    const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}${location}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${root.accessToken}`, 'Content-Type': 'application/octet-stream', 'Content-Length': '1000', 'Content-Range': `bytes 0-1199/${total}` },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end(Buffer.alloc(1000, 1));
    });
    expect(answer.status).toBe(400);
    assertProblemShape(answer.type ?? null, JSON.parse(answer.body) as Record<string, unknown>, 400);
    expect(JSON.parse(answer.body).code).toBe('upload_invalid_content_range');
    expect(await offset()).toBeNull();
    expect((await root.raw('DELETE', location)).status).toBe(204);
  });

  it('refuses bad uploads at init with stable codes and stores nothing', async () => {
    const size = readFileSync(clip).length;
    const meta = { name: 'Refused', channelId, filename: 'clip.mp4' };
    const bob = await server.login('bob', 'password1');
    await expectProblem(initResumable(bob, size, meta), 403, 'not_video_channel_owner');
    await expectProblem(initResumable(root, 0, meta), 400, 'empty_file');
    await expectProblem(initResumable(root, size, { ...meta, name: 'x'.repeat(121) }), 400, 'invalid_params');
    await expectProblem(initResumable(root, size, { ...meta, name: 'ab' }), 400, 'invalid_params');
    await expectProblem(initResumable(root, size, { ...meta, privacy: 5 }), 400, 'video_privacy_not_supported');
    await expectProblem(initResumable(root, size, { ...meta, filename: 'clip.exe' }), 415);
    await expectProblem(initResumable(root, size, { ...meta, channelId: 99999 }), 400, 'video_channel_not_found');
    await expectProblem(root.raw('POST', '/api/v1/videos/upload-resumable', { json: meta }), 400, 'invalid_params');
    await expectProblem(new ApiClient(server.url).raw('POST', '/api/v1/videos/upload-resumable', { json: meta }), 401);
    const tooBig = await root.raw('POST', '/api/v1/videos/upload-resumable', {
      json: meta,
      headers: { 'X-Upload-Content-Length': String(9 * 1024 ** 3) },
    }).catch((e) => e);
    expect(tooBig.status).toBe(413);
    expect(tooBig.code).toBe('max_file_size_reached');
    expect(tooBig.headers.get('x-file-maximum-size')).toBe(String(8589934592));

    // Quota: bob may store 1000 bytes.
    const bobId = (await bob.get<User>('/api/v1/users/me')).id;
    await root.request('PUT', `/api/v1/users/${bobId}`, { json: { videoQuota: 1000 } });
    const bobChannel = (await bob.get<User>('/api/v1/users/me')).videoChannels[0].id;
    await expectProblem(initResumable(bob, size, { ...meta, channelId: bobChannel }), 413, 'quota_reached');
    expect(await server.sql("SELECT id FROM video WHERE name = 'Refused'")).toEqual([]);
    expect(await server.sql('SELECT id FROM upload_session')).toEqual([]);
  });

  it('accepts a multipart init carrying a thumbnail, and uses it', async () => {
    const data = readFileSync(clip);
    const thumb = join(dir, 'thumb.jpg');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=320x180', '-frames:v', '1', thumb]);
    const form = new FormData();
    form.append('name', 'Multipart init');
    form.append('channelId', String(channelId));
    form.append('filename', 'clip.mp4');
    form.append('tags[0]', 'multi');
    form.append('thumbnailfile', new Blob([readFileSync(thumb)], { type: 'image/jpeg' }), 'thumb.jpg');
    const init = await root.raw('POST', '/api/v1/videos/upload-resumable', {
      body: form,
      headers: { 'X-Upload-Content-Length': String(data.length), 'X-Upload-Content-Type': 'video/mp4' },
    });
    expect(init.status).toBe(201);
    const location = init.headers.get('location')!;
    const done = await putChunk(root, location, data, 0, data.length);
    expect(done.status).toBe(200);
    const video = await root.get<VideoDetails>(`/api/v1/videos/${JSON.parse(done.text).video.uuid}`);
    expect(video.tags).toEqual(['multi']);
    // The miniature is the uploaded red image, not a frame of the test pattern.
    const sharp = (await import('sharp')).default;
    const img = await fetch(server.url + video.thumbnailPath);
    const { data: px } = await sharp(Buffer.from(await img.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect(px[0]).toBeGreaterThan(200);
    expect(px[1]).toBeLessThan(60);
    expect((await root.raw('DELETE', location)).status).toBe(204);
  });

  it('refuses random bytes named .mp4 after the last chunk and leaves no row and no file', async () => {
    const junk = join(dir, 'junk.mp4');
    await writeFile(junk, Buffer.alloc(300_000, 7).map((_, i) => (i * 7919) % 251));
    const before = await storedFiles(server);
    const videosBefore = await server.sql('SELECT id FROM video');
    const data = readFileSync(junk);
    const location = await initResumable(root, data.length, { name: 'Junk', channelId, filename: 'junk.mp4' });
    expect((await putChunk(root, location, data.subarray(0, 100_000), 0, data.length)).status).toBe(308);
    await expectProblem(putChunk(root, location, data.subarray(100_000), 100_000, data.length), 422, 'invalid_media_file');
    expect(await server.sql('SELECT id FROM video')).toEqual(videosBefore);
    expect(await server.sql('SELECT id FROM upload_session')).toEqual([]);
    expect(await storedFiles(server)).toEqual(before);
    await expectProblem(putChunk(root, location, data.subarray(0, 10), 0, data.length), 404, 'upload_not_found');
  });
});

describe('resumable upload expiry', () => {
  let server: TestServer;
  afterAll(async () => server?.stop());

  it('sweeps stale uploads and their bytes; a late chunk gets 404', async () => {
    server = await TestServer.start({ uploads: { resumable_expiration: '2 seconds' } });
    const root = await server.login();
    const channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const location = await initResumable(root, 1000, { name: 'Stale upload', channelId, filename: 'a.mp4' });
    expect((await putChunk(root, location, new Uint8Array(100), 0, 1000)).status).toBe(308);
    expect(await readdir(join(server.storage, 'tmp', 'resumable'))).toHaveLength(1);
    let rows = 1;
    for (let i = 0; i < 40 && rows > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = (await server.sql('SELECT id FROM upload_session')).length;
    }
    expect(rows).toBe(0); // removed by the periodic sweep, not by a request
    expect(await readdir(join(server.storage, 'tmp', 'resumable'))).toEqual([]);
    await expectProblem(putChunk(root, location, new Uint8Array(100), 100, 1000), 404, 'upload_not_found');
  });

  it('removes old files no row refers to, and only those', async () => {
    const root = await server.login();
    const channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-clips-'));
    const { video } = await legacyUpload(root, makeClip(dir, 'c.mp4', { seconds: 2 }), { name: 'Kept video', channelId: String(channelId) });
    const past = new Date(Date.now() - 2 * 3600_000);
    const s = server.storage;
    const orphanWeb = join(s, 'web-videos', `${randomUUID()}-360.mp4`);
    const freshWeb = join(s, 'web-videos', `${randomUUID()}-240.mp4`);
    const foreign = join(s, 'web-videos', 'README.txt');
    const orphanHls = join(s, 'streaming-playlists', 'hls', randomUUID());
    const keptHls = join(s, 'streaming-playlists', 'hls', video.uuid);
    for (const f of [orphanWeb, freshWeb, foreign]) await writeFile(f, 'x');
    for (const d of [orphanHls, keptHls]) {
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'a-master.m3u8'), '#EXTM3U');
    }
    // Everything of the real video is old too: age alone must not remove it.
    const [file] = await server.sql<{ filename: string; torrent_filename: string }>('SELECT filename, torrent_filename FROM video_file');
    const kept = [join(s, 'web-videos', file.filename), join(s, 'torrents', file.torrent_filename)];
    for (const p of [orphanWeb, foreign, orphanHls, keptHls, ...kept]) await utimes(p, past, past);
    for (let i = 0; i < 40 && existsSync(orphanWeb); i++) await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 10 && existsSync(orphanHls); i++) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(orphanWeb)).toBe(false);
    expect(existsSync(orphanHls)).toBe(false);
    expect([freshWeb, foreign, keptHls, ...kept].filter((p) => !existsSync(p))).toEqual([]);
    expect((await root.get<VideoDetails>(`/api/v1/videos/${video.uuid}`)).files[0].size).toBeGreaterThan(0);
    await rm(dir, { recursive: true, force: true });
  });
});
