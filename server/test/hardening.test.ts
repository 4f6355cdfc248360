import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { abortMidBody, newFiles, problemShapeError, send, storageSnapshot, type RawAnswer } from './helpers/raw-http';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/** Issue 15's repros, each answered with a 4xx problem+json and nothing left on disk. */
describe('hardening: bad input gets a clear 4xx and loses nothing', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let admin2: ApiClient;
  let dir: string;
  let videoId: number;
  let channelId: number;

  const expect4xx = (a: RawAnswer, status: number, code?: string) => {
    expect(a.status, JSON.stringify(a.body)).toBe(status);
    expect(problemShapeError(a)).toBeNull();
    if (code) expect((a.body as { code: string }).code).toBe(code);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-hardening-'));
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } } });
    root = await server.login();
    for (const [username, role] of [['alice', 2], ['admin2', 0]] as const) {
      await root.request('POST', '/api/v1/users', {
        json: { username, password: 'password1', email: `${username}@example.org`, role, videoQuota: -1, videoQuotaDaily: -1 },
      });
    }
    alice = await server.login('alice', 'password1');
    admin2 = await server.login('admin2', 'password1');
    channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });
    videoId = (await legacyUpload(root, clip, { name: 'Hardening', channelId: String(channelId) })).video.id;
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('1. changing the e-mail or the password needs the current password: 400 when missing, 401 when wrong', async () => {
    const t = alice.accessToken;
    expect4xx(await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { email: 'x@y.example' } }), 400, 'invalid_params');
    expect4xx(await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { email: 'x@y.example', currentPassword: 'wrong' } }), 401, 'wrong_current_password');
    expect4xx(await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { password: 'another1' } }), 400, 'invalid_params');
    expect((await alice.get<User>('/api/v1/users/me')).email).toBe('alice@example.org');
    const ok = await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { email: 'alice2@example.org', currentPassword: 'password1' } });
    expect(ok.status).toBe(204);
    expect((await alice.get<User>('/api/v1/users/me')).email).toBe('alice2@example.org');
  });

  it("9. root's role cannot be changed, even by another administrator", async () => {
    expect4xx(await send(server, 'PUT', '/api/v1/users/1', { token: admin2.accessToken, json: { role: 2 } }), 400, 'cannot_change_root_role');
    expect((await root.get<User>('/api/v1/users/me')).role.id).toBe(0);
    // Root's other fields still change (a role change would also end root's sessions, used below).
    expect((await send(server, 'PUT', '/api/v1/users/1', { token: admin2.accessToken, json: { videoQuota: -1 } })).status).toBe(204);
  });

  it('8. sort parameters are looked up by the lists own keys only', async () => {
    for (const sort of ['__proto__', 'constructor', 'hasOwnProperty', '-__proto__', 'toString']) {
      for (const path of ['/api/v1/users', '/api/v1/videos', '/api/v1/accounts', '/api/v1/video-channels', '/api/v1/users/me/videos']) {
        const a = await send(server, 'GET', `${path}?sort=${encodeURIComponent(sort)}`, { token: root.accessToken });
        expect(a.status, `${path} sort=${sort}: ${JSON.stringify(a.body)}`).toBeLessThan(500);
        if (a.status >= 400) expect(problemShapeError(a)).toBeNull();
      }
    }
  });

  it('4. NUL and lone surrogates are refused in every text field, single or in arrays', async () => {
    const t = root.accessToken;
    const bad = ['a\u0000b', 'a\uD800b', 'a\uDC00b', '\uD83D'];
    for (const s of bad) {
      expect4xx(await send(server, 'PUT', `/api/v1/videos/${videoId}`, { token: t, json: { tags: [s + 'xx'] } }), 400, 'invalid_params');
      expect4xx(await send(server, 'PUT', `/api/v1/videos/${videoId}`, { token: t, json: { name: `name ${s}` } }), 400, 'invalid_params');
      expect4xx(await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { videoLanguages: [s] } }), 400, 'invalid_params');
      expect4xx(await send(server, 'PUT', '/api/v1/users/me', { token: t, json: { displayName: `Root ${s}` } }), 400, 'invalid_params');
    }
    // In a query string NUL is %00; JSON bodies above carry lone surrogates as \ud800 escapes.
    expect4xx(await send(server, 'GET', '/api/v1/videos?search=a%00b'), 400, 'invalid_params');
    expect4xx(await send(server, 'GET', '/api/v1/videos?tagsOneOf=a%00b'), 400, 'invalid_params');
    // A well-formed pair (an emoji) is text like any other.
    expect((await send(server, 'PUT', `/api/v1/videos/${videoId}`, { token: t, json: { name: 'Hardening \uD83D\uDE00' } })).status).toBe(204);
    const rows = await server.sql<{ name: string }>('SELECT name FROM video WHERE id = $1', [videoId]);
    expect(rows[0].name).toBe('Hardening 😀');
  });

  it('5. dates outside the storable range are 400 at the schema', async () => {
    for (const key of ['startDate', 'endDate', 'originallyPublishedStartDate', 'originallyPublishedEndDate']) {
      for (const date of ['0000-01-01', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '10000-01-01']) {
        expect4xx(await send(server, 'GET', `/api/v1/videos?${key}=${encodeURIComponent(date)}`), 400, 'invalid_params');
      }
    }
    expect4xx(
      await send(server, 'PUT', `/api/v1/videos/${videoId}`, { token: root.accessToken, json: { originallyPublishedAt: '0000-01-01' } }),
      400,
      'invalid_params',
    );
    expect((await send(server, 'GET', '/api/v1/videos?startDate=0001-01-01&endDate=9999-12-31')).status).toBe(200);
  });

  it('6. resumable init with NUL or a lone surrogate in name/filename is 400 and leaves no part file', async () => {
    const before = await storageSnapshot(server);
    for (const s of ['a\u0000b', 'a\uD800b']) {
      for (const body of [{ name: `video ${s}`, filename: 'a.mp4' }, { name: 'video', filename: `a${s}.mp4` }]) {
        const a = await send(server, 'POST', '/api/v1/videos/upload-resumable', {
          token: root.accessToken,
          json: { ...body, channelId },
          headers: { 'X-Upload-Content-Length': '1000', 'X-Upload-Content-Type': 'video/mp4' },
        });
        expect4xx(a, 400, 'invalid_params');
      }
    }
    expect(newFiles(before, await storageSnapshot(server))).toEqual([]);
    expect(await server.sql('SELECT id FROM upload_session')).toEqual([]);
  });

  it('3. malformed multipart bodies are 400 on every video route that takes multipart', async () => {
    const before = await storageSnapshot(server);
    const b = 'XyZbOuNdArY';
    const shapes: Array<{ what: string; type: string; body: string }> = [
      { what: 'no boundary', type: 'multipart/form-data', body: 'hello' },
      { what: 'truncated', type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc` },
      {
        what: 'part without a name',
        type: `multipart/form-data; boundary=${b}`,
        body: `--${b}\r\nContent-Disposition: form-data; filename="x.mp4"\r\nContent-Type: video/mp4\r\n\r\nabc\r\n--${b}--\r\n`,
      },
      { what: 'bad part header', type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nnot a header\r\n\r\nabc\r\n--${b}--\r\n` },
    ];
    const routes = [
      ['PUT', `/api/v1/videos/${videoId}`],
      ['POST', '/api/v1/videos/upload'],
      ['POST', '/api/v1/videos/upload-resumable'],
    ] as const;
    for (const [method, path] of routes) {
      for (const s of shapes) {
        const a = await send(server, method, path, {
          token: root.accessToken,
          body: s.body,
          headers: { 'Content-Type': s.type, 'X-Upload-Content-Length': '100' },
        });
        expect(a.status, `${method} ${path} ${s.what}: ${JSON.stringify(a.body)}`).toBe(400);
        expect(problemShapeError(a)).toBeNull();
      }
    }
    expect(newFiles(before, await storageSnapshot(server))).toEqual([]);
    expect(server.output).not.toContain('unexpected error');
  });

  it('7. a truncated PNG as avatar or banner is 400 invalid_image_file, and nothing is written', async () => {
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .composite([{ input: Buffer.from(await sharp({ create: { width: 300, height: 200, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer()) }])
      .png()
      .toBuffer();
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    const channel = (await root.get<User>('/api/v1/users/me')).videoChannels[0].name;
    const before = await storageSnapshot(server);
    for (const [path, field] of [
      ['/api/v1/users/me/avatar/pick', 'avatarfile'],
      [`/api/v1/video-channels/${channel}/avatar/pick`, 'avatarfile'],
      [`/api/v1/video-channels/${channel}/banner/pick`, 'bannerfile'],
    ]) {
      const form = new FormData();
      form.append(field, new Blob([truncated], { type: 'image/png' }), 'a.png');
      const res = await fetch(server.url + path, { method: 'POST', body: form, headers: { Authorization: `Bearer ${root.accessToken}` } });
      const a: RawAnswer = { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.json() };
      expect4xx(a, 400, 'invalid_image_file');
    }
    expect(newFiles(before, await storageSnapshot(server))).toEqual([]);
  });

  it('10. login answers carry the login limiter’s X-RateLimit headers', async () => {
    const client = (await send(server, 'GET', '/api/v1/oauth-clients/local')).body as { client_id: string; client_secret: string };
    const a = await send(server, 'POST', '/api/v1/users/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...client, grant_type: 'password', username: 'nobody', password: 'wrong-password' }).toString(),
    });
    expect(a.status).toBe(400);
    expect(a.headers.get('x-ratelimit-limit')).toBe('15');
    // Other API routes keep the general limiter.
    expect((await send(server, 'GET', '/api/v1/videos')).headers.get('x-ratelimit-limit')).toBe('10000');
  });

  it('11. an upload cut off mid-body is not logged as an unexpected error and leaves no file', async () => {
    const before = await storageSnapshot(server);
    const b = 'AbOrTbOuNdArY';
    const head = Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nCut off\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="channelId"\r\n\r\n${channelId}\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="videofile"; filename="cut.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const clip = await readFile(makeClip(dir, 'clip.mp4'));
    await abortMidBody(
      server,
      '/api/v1/videos/upload',
      { Authorization: `Bearer ${root.accessToken}`, 'Content-Type': `multipart/form-data; boundary=${b}` },
      head.length + 10 * 1024 * 1024,
      Buffer.concat([head, clip.subarray(0, 20_000)]),
    );
    // The server sees the close a moment later; give it time to clean up and (not) log.
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.output).not.toContain('unexpected error');
    expect(newFiles(before, await storageSnapshot(server))).toEqual([]);
  });
});
