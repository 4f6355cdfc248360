import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Account, ResultList, User, VideoChannel } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';

describe('accounts and channels', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  beforeAll(async () => {
    server = await TestServer.start({ video_channels: { max_per_user: 3 }, rates_limit: { api: { max: 1000 } } });
    root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2 } });
    alice = await server.login('alice', 'password1');
  });
  afterAll(async () => server?.stop());

  it('reads accounts by name and name@host', async () => {
    const a = await server.api.get<Account>('/api/v1/accounts/alice');
    expect(a).toMatchObject({ name: 'alice', displayName: 'alice', host: new URL(server.url).host, followersCount: 0 });
    const same = await server.api.get<Account>(`/api/v1/accounts/alice@${new URL(server.url).host}`);
    expect(same.id).toBe(a.id);
    const list = await server.api.get<ResultList<Account>>('/api/v1/accounts');
    expect(list.data.map((x) => x.name)).toEqual(expect.arrayContaining(['root', 'alice', 'peertube']));
    const chans = await server.api.get<ResultList<VideoChannel>>('/api/v1/accounts/alice/video-channels');
    expect(chans.total).toBe(1);
    expect(chans.data[0].ownerAccount.name).toBe('alice');
    await expectProblem(server.api.get('/api/v1/accounts/nobody'), 404, 'account_not_found');
    await expectProblem(server.api.get('/api/v1/accounts/alice@elsewhere.example'), 404);
  });

  it('lists every channel in the {total, data} envelope', async () => {
    const list = await server.api.get<ResultList<VideoChannel>>('/api/v1/video-channels', { sort: '-createdAt', count: 2 });
    expect(list.total).toBe(2);
    expect(list.data[0].name).toBe('alice_channel');
    await expectProblem(server.api.get('/api/v1/video-channels', { start: -1 }), 400, 'invalid_params');
  });

  it('creates, reads, updates and deletes a channel', async () => {
    const created = await alice.request<{ videoChannel: { id: number } }>('POST', '/api/v1/video-channels', {
      json: { name: 'alice_music', displayName: 'Alice plays', description: 'Songs', support: 'Tip jar' },
    });
    const ch = await server.api.get<VideoChannel>('/api/v1/video-channels/alice_music');
    expect(ch).toMatchObject({ id: created.videoChannel.id, displayName: 'Alice plays', description: 'Songs', support: 'Tip jar', isLocal: true });
    await alice.request('PUT', '/api/v1/video-channels/alice_music', { json: { displayName: 'Alice sings', support: null } });
    const after = await server.api.get<VideoChannel>('/api/v1/video-channels/alice_music');
    expect(after.displayName).toBe('Alice sings');
    expect(after.support).toBeNull();
    const me = await alice.get<User>('/api/v1/users/me');
    expect(me.videoChannels.map((c) => c.name)).toEqual(['alice_channel', 'alice_music']);
    await alice.request('DELETE', '/api/v1/video-channels/alice_music');
    await expectProblem(server.api.get('/api/v1/video-channels/alice_music'), 404, 'video_channel_not_found');
  });

  it('refuses bad channel input, taken names, others\u2019 channels and the last channel', async () => {
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'alice', displayName: 'x' } }), 409, 'actor_name_already_exists');
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'root_channel', displayName: 'x' } }), 409);
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'bad name!', displayName: 'x' } }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'ok_name', displayName: 'x'.repeat(121) } }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'ok_name' } }), 400, 'invalid_params');
    await expectProblem(server.api.request('POST', '/api/v1/video-channels', { json: { name: 'anon', displayName: 'x' } }), 401);
    await expectProblem(alice.request('PUT', '/api/v1/video-channels/root_channel', { json: { displayName: 'mine now' } }), 403, 'not_video_channel_owner');
    await expectProblem(alice.request('DELETE', '/api/v1/video-channels/root_channel'), 403);
    await expectProblem(alice.request('PUT', '/api/v1/video-channels/nothing_here', { json: { displayName: 'x' } }), 404);
    await expectProblem(alice.request('DELETE', '/api/v1/video-channels/alice_channel'), 409, 'cannot_delete_last_video_channel');
    // The channel limit comes from config (3 here).
    await alice.request('POST', '/api/v1/video-channels', { json: { name: 'alice_2', displayName: 'two' } });
    await alice.request('POST', '/api/v1/video-channels', { json: { name: 'alice_3', displayName: 'three' } });
    await expectProblem(alice.request('POST', '/api/v1/video-channels', { json: { name: 'alice_4', displayName: 'four' } }), 403);
    // Admins may manage any channel.
    await root.request('PUT', '/api/v1/video-channels/alice_2', { json: { description: 'moderated' } });
  });

  it('resizes avatars and banners with a real image library, and refuses bad images', async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.append('avatarfile', new Blob([png], { type: 'image/png' }), 'avatar.png');
    const res = await alice.request<{ avatars: Array<{ path: string; width: number }> }>('POST', '/api/v1/video-channels/alice_channel/avatar/pick', { body: form });
    expect(res.avatars.map((a) => a.width).sort((a, b) => a - b)).toEqual([48, 120, 600]);
    const img = await fetch(server.url + res.avatars[0].path);
    expect(img.status).toBe(200);
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect(meta.width).toBe(res.avatars[0].width);

    const banner = new FormData();
    banner.append('bannerfile', new Blob([png], { type: 'image/png' }), 'banner.png');
    const b = await alice.request<{ banners: Array<{ width: number }> }>('POST', '/api/v1/video-channels/alice_channel/banner/pick', { body: banner });
    expect(b.banners.map((x) => x.width)).toContain(1920);

    const me = new FormData();
    me.append('avatarfile', new Blob([png], { type: 'image/png' }), 'me.png');
    const mine = await alice.request<{ avatars: Array<{ path: string }> }>('POST', '/api/v1/users/me/avatar/pick', { body: me });
    const account = await server.api.get<Account>('/api/v1/accounts/alice');
    expect(account.avatars).toHaveLength(3);
    await alice.request('DELETE', '/api/v1/users/me/avatar');
    expect((await server.api.get<Account>('/api/v1/accounts/alice')).avatars).toHaveLength(0);
    expect(existsSync(join(server.storage, 'avatars', mine.avatars[0].path.split('/').pop()!))).toBe(false);

    const junk = new FormData();
    junk.append('avatarfile', new Blob([Buffer.from('not an image at all')], { type: 'image/png' }), 'x.png');
    await expectProblem(alice.request('POST', '/api/v1/video-channels/alice_channel/avatar/pick', { body: junk }), 400, 'invalid_image_file');
    const big = new FormData();
    big.append('avatarfile', new Blob([Buffer.alloc(4 * 1024 * 1024 + 10)], { type: 'image/png' }), 'big.png');
    try {
      await alice.request('POST', '/api/v1/video-channels/alice_channel/avatar/pick', { body: big });
      throw new Error('expected 413');
    } catch (e) {
      expect((e as { status: number }).status).toBe(413);
    }
    await expectProblem(alice.request('POST', '/api/v1/video-channels/alice_channel/avatar/pick', { body: new FormData() }), 400);
    await expectProblem(alice.request('DELETE', '/api/v1/video-channels/root_channel/banner'), 403);
    await alice.request('DELETE', '/api/v1/video-channels/alice_channel/banner');
    await alice.request('DELETE', '/api/v1/video-channels/alice_channel/avatar');
    const bare = await server.api.get<VideoChannel>('/api/v1/video-channels/alice_channel');
    expect(bare.avatars).toEqual([]);
    expect(bare.banners).toEqual([]);
    const other = new FormData();
    other.append('avatarfile', new Blob([png], { type: 'image/png' }), 'a.png');
    await expectProblem(alice.request('POST', '/api/v1/video-channels/root_channel/avatar/pick', { body: other }), 403);
  });
});
