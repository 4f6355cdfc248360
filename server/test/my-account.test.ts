import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, User, VideoChannel } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';

/** My account (PUT/DELETE /users/me) and the channel search the web client's pages use. */
describe('my account and channel search', () => {
  let server: TestServer;
  let root: ApiClient;
  let carol: ApiClient;
  beforeAll(async () => {
    server = await TestServer.start({ rates_limit: { api: { max: 1000 }, login: { max: 100 } } });
    root = await server.login();
    for (const name of ['carol', 'dave']) {
      await root.request('POST', '/api/v1/users', { json: { username: name, password: 'password1', email: `${name}@example.org`, role: 2 } });
    }
    carol = await server.login('carol', 'password1');
  });
  afterAll(async () => server?.stop());

  it('updates settings; the password and e-mail need the right current password', async () => {
    await carol.request('PUT', '/api/v1/users/me', { json: { displayName: 'Carol C', description: 'hi', nsfwPolicy: 'blur', autoPlayVideo: false, p2pEnabled: false, videoLanguages: ['fr'] } });
    const me = await carol.get<User>('/api/v1/users/me');
    expect([me.account.displayName, me.account.description, me.nsfwPolicy, me.autoPlayVideo, me.p2pEnabled, me.videoLanguages]).toEqual(['Carol C', 'hi', 'blur', false, false, ['fr']]);
    await expectProblem(carol.request('PUT', '/api/v1/users/me', { json: { password: 'newpassword', currentPassword: 'wrong-one' } }), 401, 'wrong_current_password');
    await expectProblem(carol.request('PUT', '/api/v1/users/me', { json: { password: 'newpassword' } }), 400, 'invalid_params');
    await expectProblem(carol.request('PUT', '/api/v1/users/me', { json: { email: 'dave@example.org', currentPassword: 'password1' } }), 409, 'email_already_exists');
    await expectProblem(carol.request('PUT', '/api/v1/users/me', { json: { nsfwPolicy: 'show-everything' } }), 400, 'invalid_params');
    // Nothing of the refused requests was kept.
    expect((await carol.get<User>('/api/v1/users/me')).email).toBe('carol@example.org');
    await carol.request('PUT', '/api/v1/users/me', { json: { password: 'password2', currentPassword: 'password1' } });
    await expectProblem(server.login('carol', 'password1'), 400);
    carol = await server.login('carol', 'password2');
  });

  it('searches local channels by handle and display name', async () => {
    await carol.request('POST', '/api/v1/video-channels', { json: { name: 'carol_cooking', displayName: 'Kitchen Stories' } });
    const byHandle = await server.api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { search: 'cooking' });
    expect(byHandle.data.map((c) => c.name)).toEqual(['carol_cooking']);
    expect(byHandle.total).toBe(1);
    const byName = await server.api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { search: 'kitchen' });
    expect(byName.data.map((c) => c.displayName)).toEqual(['Kitchen Stories']);
    // `%` is text, not a wildcard.
    expect((await server.api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { search: '%' })).total).toBe(0);
    const all = await server.api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { count: 2 });
    expect(all.total).toBe(4);
    expect(all.data).toHaveLength(2);
    expect((await server.api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { search: 'cooking', host: 'elsewhere.example' })).total).toBe(0);
    await expectProblem(server.api.get('/api/v1/search/video-channels', { count: 500 }), 400, 'invalid_params');
    await expectProblem(server.api.get('/api/v1/search/video-channels', { search: 'x'.repeat(1001) }), 400, 'invalid_params');
  });

  it('refuses an oversized avatar or banner with 413 naming the limit, and keeps the old one', async () => {
    const big = () => new Blob([new Uint8Array(4 * 1024 * 1024 + 1024)], { type: 'image/png' });
    for (const [path, field] of [['/api/v1/users/me/avatar/pick', 'avatarfile'], ['/api/v1/video-channels/carol_channel/banner/pick', 'bannerfile']]) {
      const form = new FormData();
      form.append(field, big(), 'big.png');
      const res = await fetch(server.url + path, { method: 'POST', body: form, headers: { Authorization: `Bearer ${carol.accessToken}` } });
      expect(res.status).toBe(413);
      expect(res.headers.get('x-file-maximum-size')).toBe(String(4 * 1024 * 1024));
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('max_file_size_reached');
      expect(body.detail).toContain('4194304');
    }
    expect((await carol.get<User>('/api/v1/users/me')).account.avatars).toEqual([]);
  });

  it('deletes my own account with its channels, never root', async () => {
    await expectProblem(server.api.request('DELETE', '/api/v1/users/me'), 401);
    await expectProblem(root.request('DELETE', '/api/v1/users/me'), 400, 'cannot_delete_root_user');
    expect((await root.get<User>('/api/v1/users/me')).username).toBe('root');
    await carol.request('DELETE', '/api/v1/users/me');
    await expectProblem(carol.get('/api/v1/users/me'), 401);
    await expectProblem(server.api.get('/api/v1/video-channels/carol_cooking'), 404, 'video_channel_not_found');
    await expectProblem(server.api.get('/api/v1/accounts/carol'), 404);
    const left = await server.sql<{ n: string }>("SELECT count(*) AS n FROM actor WHERE preferred_username IN ('carol', 'carol_channel', 'carol_cooking')");
    expect(left[0].n).toBe('0');
  });
});
