import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, User, Video, VideoDetails } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip, type Created } from './helpers/videos';

/** Every file under the storage root, sorted (what a refused upload must leave as it was). */
async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

describe('videos API (legacy upload, lists, privacy, update, rate, views, delete)', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let anon: ApiClient;
  let dir: string;
  let clip: string;
  let rootChannel: number;
  let aliceChannel: number;
  const ids: Record<string, Created['video']> = {};

  const upload = (api: ApiClient, channelId: number, fields: Record<string, string>) =>
    legacyUpload(api, clip, { channelId: String(channelId), privacy: '1', nsfw: 'false', waitTranscoding: 'true', downloadEnabled: 'true', ...fields });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-clips-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 4 });
    // Transcoding off: uploads are published at once (the TO_TRANSCODE path is in uploads-resumable).
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    root = await server.login();
    anon = new ApiClient(server.url);
    await root.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2, videoQuota: 10_000_000 } });
    alice = await server.login('alice', 'password1');
    rootChannel = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    aliceChannel = (await alice.get<User>('/api/v1/users/me')).videoChannels[0].id;
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes exactly what the PeerTube CLI sends and exposes files[0].torrentUrl at once', async () => {
    const thumb = join(dir, 'thumb.png');
    await writeFile(thumb, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6300010000050001' + '0d0a2db40000000049454e44ae426082', 'hex'));
    const form = new FormData();
    const fields = {
      name: 'CLI upload', channelId: String(rootChannel), nsfw: 'false', waitTranscoding: 'true', privacy: '1', downloadEnabled: 'true',
      category: '15', licence: '1', language: 'en', description: 'A **test** video', support: 'Please support', 'tags[0]': 'cli', 'tags[1]': 'peertube',
      response_type: 'ignored-extra-field',
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const { openAsBlob } = await import('node:fs');
    form.append('videofile', new Blob([await (await openAsBlob(clip)).arrayBuffer()], { type: 'video/mp4' }), 'clip.mp4');
    form.append('thumbnailfile', new Blob([await (await openAsBlob(thumb)).arrayBuffer()], { type: 'image/png' }), 'thumb.png');
    const res = await root.raw('POST', '/api/v1/videos/upload', { body: form });
    expect(res.status).toBe(200);
    const created = JSON.parse(res.text) as Created;
    ids.cli = created.video;

    // The CLI polls GET /videos/{uuid} until files[0].torrentUrl is truthy: the first answer must do.
    const video = await root.get<VideoDetails>(`/api/v1/videos/${created.video.uuid}`);
    expect(video.files[0].torrentUrl).toBeTruthy();
    expect(video).toMatchObject({
      name: 'CLI upload', isLocal: true, isLive: false, nsfw: false, downloadEnabled: true, waitTranscoding: true,
      category: { id: 15, label: 'Science & Technology' }, licence: { id: 1, label: 'Attribution' }, language: { id: 'en', label: 'English' },
      privacy: { id: 1, label: 'Public' }, state: { id: 1, label: 'Published' }, description: 'A **test** video', support: 'Please support',
      tags: ['cli', 'peertube'], commentsPolicy: { id: 1, label: 'Enabled' }, commentsEnabled: true, duration: 4, streamingPlaylists: [],
      embedPath: `/videos/embed/${created.video.uuid}`,
    });
    expect(video.publishedAt).toBeTruthy();
    expect(video.account.name).toBe('root');
    expect(video.channel.id).toBe(rootChannel);
    expect(video.trackerUrls).toContain(`ws://127.0.0.1:${server.port}/tracker/socket`);
    const f = video.files[0];
    expect(f.fileUrl).toMatch(new RegExp(`^${server.url}/static/web-videos/[0-9a-f-]+-360\\.mp4$`));
    expect(f.fileDownloadUrl).toBe(`${server.url}/download/videos/${created.video.uuid}-360.mp4`);
    expect(f.torrentDownloadUrl).toMatch(/\/download\/torrents\/.+\.torrent$/);
    expect(f).toMatchObject({ width: 640, height: 360, fps: 25, hasAudio: true, hasVideo: true, storage: 0 });
    const torrent = await fetch(f.torrentUrl!);
    expect(torrent.headers.get('content-type')).toBe('application/x-bittorrent');
    expect(Buffer.from(await torrent.arrayBuffer()).toString('latin1')).toContain('4:info');
    // The uploaded thumbnail was used (resized to PeerTube's miniature size).
    const t = await fetch(server.url + video.thumbnailPath);
    expect(t.status).toBe(200);
    const miniature = await sharp(Buffer.from(await t.arrayBuffer())).metadata();
    expect([miniature.width, miniature.height]).toEqual([280, 157]);
    expect(await anon.get(`/api/v1/videos/${created.video.id}/description`)).toEqual({ description: 'A **test** video' });
    // Same video by id, uuid and shortUUID.
    for (const id of [created.video.id, created.video.shortUUID]) expect((await anon.get<VideoDetails>(`/api/v1/videos/${id}`)).uuid).toBe(created.video.uuid);
  });

  it('serves the constant lists as id → label objects', async () => {
    expect((await anon.get<Record<string, string>>('/api/v1/videos/categories'))['1']).toBe('Music');
    expect((await anon.get<Record<string, string>>('/api/v1/videos/licences'))['7']).toBe('Public Domain Dedication');
    expect((await anon.get<Record<string, string>>('/api/v1/videos/languages')).fr).toBe('French');
    expect(await anon.get('/api/v1/videos/privacies')).toEqual({ 1: 'Public', 2: 'Unlisted', 3: 'Private', 4: 'Internal', 5: 'Password protected' });
  });

  it('lists in the {total, data} envelope with filters and sorts', async () => {
    ids.music = (await upload(alice, aliceChannel, { name: 'Zebra music', category: '1', language: 'fr', 'tags[0]': 'music', 'tags[1]': 'zebra' })).video;
    ids.nsfw = (await upload(alice, aliceChannel, { name: 'Adult thing', nsfw: 'true', licence: '2', 'tags[0]': 'music' })).video;
    const list = await anon.get<ResultList<Video>>('/api/v1/videos');
    expect(list.total).toBe(2); // nsfw videos are not listed by default (do_not_list)
    expect(list.data.map((v) => v.name)).toEqual(['Zebra music', 'CLI upload']); // -publishedAt
    expect(list.data[0]).toMatchObject({ account: { name: 'alice' }, privacy: { id: 1 }, state: { id: 1 } });
    expect(list.data[0].thumbnailPath).toMatch(/^\/lazy-static\/thumbnails\/.+\.jpg$/);
    expect(list.data[0]).not.toHaveProperty('files');

    const names = async (query: Record<string, string | number | boolean | string[]>, api = anon) =>
      (await api.get<ResultList<Video>>('/api/v1/videos', query)).data.map((v) => v.name);
    expect(await names({ categoryOneOf: 1 })).toEqual(['Zebra music']);
    expect(await names({ categoryOneOf: ['1', '15'], sort: 'name' })).toEqual(['CLI upload', 'Zebra music']);
    expect(await names({ languageOneOf: 'fr' })).toEqual(['Zebra music']);
    expect(await names({ tagsOneOf: ['zebra', 'cli'], sort: 'name' })).toEqual(['CLI upload', 'Zebra music']);
    expect(await names({ tagsAllOf: ['music', 'zebra'] })).toEqual(['Zebra music']);
    expect(await names({ tagsAllOf: ['music', 'cli'] })).toEqual([]);
    expect(await names({ nsfw: 'true' })).toEqual(['Adult thing']);
    expect(await names({ nsfw: 'both', licenceOneOf: 2 })).toEqual(['Adult thing']);
    expect(await names({ isLocal: true, hasWebVideoFiles: true, sort: '-name' })).toEqual(['Zebra music', 'CLI upload']);
    expect(await names({ hasHLSFiles: true })).toEqual([]);
    expect(await names({ isLive: true })).toEqual([]);
    expect(await names({ sort: 'publishedAt', count: 1 })).toEqual(['CLI upload']);
    expect(await names({ sort: '-publishedAt', start: 1 })).toEqual(['CLI upload']);
    // Each sort orders by its key (ties keep any order): read the key back from the list items. The
    // older 'CLI upload' (first by name, id and createdAt) gets the larger duration, views and likes
    // for this check, so a sort that reads the wrong column or ignores the direction fails.
    const [was] = await server.sql<{ duration: number; views: number; likes: number }>('SELECT duration, views, likes FROM video WHERE uuid = $1', [ids.cli.uuid]);
    await server.sql('UPDATE video SET duration = 9, views = 5, likes = 3 WHERE uuid = $1', [ids.cli.uuid]);
    const keyOf: Record<string, (v: Video) => number> = {
      createdAt: (v) => new Date(v.createdAt).getTime(), views: (v) => v.views, likes: (v) => v.likes, duration: (v) => v.duration,
    };
    for (const sort of ['-createdAt', '-views', '-likes', '-duration', 'duration', 'createdAt', 'views']) {
      const list = (await anon.get<ResultList<Video>>('/api/v1/videos', { sort })).data;
      expect(list.length).toBe(2);
      const keys = list.map(keyOf[sort.replace(/^-/, '')]);
      const ordered = [...keys].sort((a, b) => (sort.startsWith('-') ? b - a : a - b));
      expect({ sort, keys }).toEqual({ sort, keys: ordered });
      expect(new Set(keys).size).toBe(2);
    }
    await server.sql('UPDATE video SET duration = $2, views = $3, likes = $4 WHERE uuid = $1', [ids.cli.uuid, was.duration, was.views, was.likes]);
    // createdAt differs between the two (uploaded one after the other): both directions are real orders.
    const asc = (await names({ sort: 'createdAt' }));
    expect(await names({ sort: '-createdAt' })).toEqual([...asc].reverse());
    expect((await names({ sort: '-trending' })).length).toBe(2);
    const withFiles = await root.get<ResultList<Video>>('/api/v1/videos', { include: 8, count: 1 });
    expect(withFiles.data[0].files?.[0].torrentUrl).toBeTruthy();
    // Every field of a list item is what the video's own page says (the list is built from plain
    // rows with thumbnails, avatars and files attached by hand), avatars included.
    const png = await sharp({ create: { width: 320, height: 320, channels: 3, background: '#cc6633' } }).png().toBuffer();
    const form = new FormData();
    form.append('avatarfile', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'avatar.png');
    await alice.request('POST', '/api/v1/video-channels/alice_channel/avatar/pick', { body: form });
    const page = await root.get<ResultList<Video>>('/api/v1/videos', { include: 8, nsfw: 'both' });
    expect(page.data.length).toBe(3);
    expect(page.data.some((v) => v.channel.avatars.length === 3)).toBe(true);
    for (const item of page.data) {
      const own = await root.get<VideoDetails>(`/api/v1/videos/${item.uuid}`);
      const { description, ...rest } = item;
      expect(own).toMatchObject(JSON.parse(JSON.stringify(rest)) as object);
      expect((own.description ?? '').startsWith((description ?? '').replace(/\.\.\.$/, ''))).toBe(true);
    }

    await expectProblem(anon.get('/api/v1/videos', { count: 101 }), 400, 'invalid_params');
    await expectProblem(anon.get('/api/v1/videos', { sort: '-bogus' }), 400, 'invalid_params');
    await expectProblem(alice.get('/api/v1/videos', { privacyOneOf: 3 }), 403);

    const byAccount = await anon.get<ResultList<Video>>('/api/v1/accounts/alice/videos', { nsfw: 'both' });
    expect(byAccount.data.map((v) => v.name).sort()).toEqual(['Adult thing', 'Zebra music']);
    const byChannel = await anon.get<ResultList<Video>>('/api/v1/video-channels/root_channel/videos');
    expect(byChannel.data.map((v) => v.name)).toEqual(['CLI upload']);
    await expectProblem(anon.get('/api/v1/accounts/nobody/videos'), 404);

    const search = await anon.get<ResultList<Video>>('/api/v1/search/videos', { search: 'zebr' });
    expect(search.data.map((v) => v.name)).toEqual(['Zebra music']);
    expect((await anon.get<ResultList<Video>>('/api/v1/search/videos', { search: 'peertube' })).data.map((v) => v.name)).toEqual(['CLI upload']);
    expect((await anon.get<ResultList<Video>>('/api/v1/search/videos', { search: 'music', categoryOneOf: 15 })).total).toBe(0);
    await expectProblem(anon.get('/api/v1/search/videos'), 400, 'invalid_params');
  });

  it('enforces privacy on get and every list', async () => {
    ids.private = (await upload(alice, aliceChannel, { name: 'Secret diary', privacy: '3' })).video;
    ids.internal = (await upload(alice, aliceChannel, { name: 'Members only', privacy: '4' })).video;
    ids.unlisted = (await upload(alice, aliceChannel, { name: 'Hidden link', privacy: '2' })).video;
    await root.request('POST', '/api/v1/users', { json: { username: 'carol', password: 'password1', email: 'carol@example.org', role: 2 } });
    const carol = await server.login('carol', 'password1');

    await expectProblem(anon.get(`/api/v1/videos/${ids.private.uuid}`), 401);
    await expectProblem(carol.get(`/api/v1/videos/${ids.private.uuid}`), 403, 'video_not_accessible');
    expect((await alice.get<VideoDetails>(`/api/v1/videos/${ids.private.uuid}`)).privacy.id).toBe(3);
    expect((await root.get<VideoDetails>(`/api/v1/videos/${ids.private.uuid}`)).privacy.id).toBe(3); // moderators see all
    await expectProblem(anon.get(`/api/v1/videos/${ids.internal.uuid}`), 401);
    expect((await carol.get<VideoDetails>(`/api/v1/videos/${ids.internal.uuid}`)).name).toBe('Members only');
    expect((await anon.get<VideoDetails>(`/api/v1/videos/${ids.unlisted.uuid}`)).name).toBe('Hidden link');
    await expectProblem(anon.get(`/api/v1/videos/${ids.private.uuid}/description`), 401);

    const anonNames = (await anon.get<ResultList<Video>>('/api/v1/videos', { nsfw: 'both' })).data.map((v) => v.name);
    expect(anonNames.sort()).toEqual(['Adult thing', 'CLI upload', 'Zebra music']);
    const carolNames = (await carol.get<ResultList<Video>>('/api/v1/videos', { nsfw: 'both' })).data.map((v) => v.name);
    expect(carolNames.sort()).toEqual(['Adult thing', 'CLI upload', 'Members only', 'Zebra music']);
    expect((await anon.get<ResultList<Video>>('/api/v1/accounts/alice/videos', { nsfw: 'both' })).total).toBe(2);
    expect((await anon.get<ResultList<Video>>('/api/v1/search/videos', { search: 'secret' })).total).toBe(0);
    // Channel lists and search: no private video for anyone but its owner and moderators, internal
    // ones for logged-in users only, unlisted ones never listed.
    const channelName = (await alice.get<User>('/api/v1/users/me')).videoChannels[0].name;
    const listed = async (api: ApiClient, path: string, query: Record<string, string> = {}) =>
      (await api.get<ResultList<Video>>(path, { nsfw: 'both', count: 50, ...query })).data.map((v) => v.name).filter((n) => ['Secret diary', 'Members only', 'Hidden link'].includes(n)).sort();
    expect(await listed(anon, `/api/v1/video-channels/${channelName}/videos`)).toEqual([]);
    expect(await listed(carol, `/api/v1/video-channels/${channelName}/videos`)).toEqual(['Members only']);
    expect(await listed(carol, '/api/v1/accounts/alice/videos')).toEqual(['Members only']);
    for (const search of ['secret', 'members', 'hidden']) {
      expect(await listed(anon, '/api/v1/search/videos', { search })).toEqual([]);
      expect(await listed(carol, '/api/v1/search/videos', { search })).toEqual(search === 'members' ? ['Members only'] : []);
    }
    const mine = await alice.get<ResultList<Video>>('/api/v1/users/me/videos');
    expect(mine.total).toBe(5);
    expect(mine.data[0].name).toBe('Hidden link'); // -createdAt
    const admin = await root.get<ResultList<Video>>('/api/v1/videos', { privacyOneOf: [3, 4], sort: 'name' });
    expect(admin.data.map((v) => v.name)).toEqual(['Members only', 'Secret diary']);
    await expectProblem(anon.get('/api/v1/users/me/videos'), 401);
  });

  it('updates (JSON or multipart) by the owner only', async () => {
    const id = ids.music.uuid;
    await expectProblem(anon.request('PUT', `/api/v1/videos/${id}`, { json: { name: 'Nope' } }), 401);
    await expectProblem(root.request('PUT', `/api/v1/videos/${id}`, { json: { name: 'x'.repeat(121) } }), 400, 'invalid_params');
    const carol = await server.login('carol', 'password1');
    await expectProblem(carol.request('PUT', `/api/v1/videos/${id}`, { json: { name: 'Stolen' } }), 403, 'not_video_owner');
    await alice.request('PUT', `/api/v1/videos/${id}`, { json: { name: 'Zebra music (edited)', tags: ['one', 'two'], commentsPolicy: 2, unknownField: 1 } });
    const form = new FormData();
    form.append('description', 'new description');
    form.append('downloadEnabled', 'false');
    await alice.request('PUT', `/api/v1/videos/${id}`, { body: form });
    const v = await anon.get<VideoDetails>(`/api/v1/videos/${id}`);
    expect(v).toMatchObject({ name: 'Zebra music (edited)', tags: ['one', 'two'], commentsPolicy: { id: 2 }, commentsEnabled: false, description: 'new description', downloadEnabled: false });
    await expectProblem(alice.request('PUT', `/api/v1/videos/${id}`, { json: { privacy: 5 } }), 400, 'video_privacy_not_supported');
    await expectProblem(alice.request('PUT', `/api/v1/videos/${id}`, { json: { channelId: rootChannel } }), 403);
    await expectProblem(alice.request('PUT', '/api/v1/videos/999999', { json: { name: 'Ghost video' } }), 404, 'video_not_found');
    await expectProblem(anon.get('/api/v1/videos/not-a-video-id'), 404, 'video_not_found');
  });

  it('rates: like, dislike, none, and reads the rating back', async () => {
    const id = ids.cli.id;
    await expectProblem(anon.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'like' } }), 401);
    await expectProblem(alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'love' } }), 400, 'invalid_params');
    await alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'like' } });
    await alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'like' } });
    await root.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'dislike' } });
    expect(await anon.get<VideoDetails>(`/api/v1/videos/${id}`)).toMatchObject({ likes: 1, dislikes: 1 });
    expect(await alice.get(`/api/v1/users/me/videos/${id}/rating`)).toEqual({ id, rating: 'like' });
    await alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'dislike' } });
    await root.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'none' } });
    expect(await anon.get<VideoDetails>(`/api/v1/videos/${id}`)).toMatchObject({ likes: 0, dislikes: 1 });
    expect(await root.get(`/api/v1/users/me/videos/${id}/rating`)).toEqual({ id, rating: 'none' });
    // The only video with a like leads the -likes order; after its like is gone it no longer does.
    await alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'like' } });
    const liked = await anon.get<ResultList<Video>>('/api/v1/videos', { sort: '-likes' });
    expect(liked.data.map((v) => [v.id, v.likes])[0]).toEqual([id, 1]);
    expect(liked.data.slice(1).every((v) => v.likes === 0)).toBe(true);
    await alice.request('PUT', `/api/v1/videos/${id}/rate`, { json: { rating: 'none' } });
    expect((await anon.get<ResultList<Video>>('/api/v1/videos', { sort: '-likes' })).data.every((v) => v.likes === 0)).toBe(true);
  });

  it('counts one view per viewer and flushes views to the database in batches', async () => {
    const id = ids.cli.uuid;
    await anon.request('POST', `/api/v1/videos/${id}/views`, { json: { currentTime: 1, sessionId: 'a' } });
    await anon.request('POST', `/api/v1/videos/${id}/views`, { json: { currentTime: 3, sessionId: 'a' } });
    await anon.request('POST', `/api/v1/videos/${id}/views`, { json: { currentTime: 2, sessionId: 'b', client: 'x' } });
    await expectProblem(anon.request('POST', `/api/v1/videos/${ids.private.uuid}/views`, { json: { currentTime: 1 } }), 401);
    expect((await anon.get<VideoDetails>(`/api/v1/videos/${id}`)).views).toBe(2);
    let stored = 0;
    for (let i = 0; i < 40 && stored !== 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      stored = Number((await server.sql<{ views: number }>('SELECT views FROM video WHERE uuid = $1', [id]))[0].views);
    }
    expect(stored).toBe(2);
    expect((await anon.get<VideoDetails>(`/api/v1/videos/${id}`)).views).toBe(2);
    expect((await anon.get<ResultList<Video>>('/api/v1/videos', { sort: '-trending' })).data[0].uuid).toBe(id);
  });

  it('refuses random bytes, empty files and uploads over quota, leaving nothing', async () => {
    const junk = join(dir, 'junk.mp4');
    await writeFile(junk, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    const before = await server.sql('SELECT id FROM video ORDER BY id');
    const filesBefore = await storedFiles(server.storage);
    await expectProblem(legacyUpload(alice, junk, { name: 'Junk', channelId: String(aliceChannel) }), 422, 'invalid_media_file');
    await expectProblem(legacyUpload(alice, empty, { name: 'Empty', channelId: String(aliceChannel) }), 400, 'empty_file');
    await expectProblem(legacyUpload(alice, clip, { name: 'Not my channel', channelId: String(rootChannel) }), 403, 'not_video_channel_owner');
    await expectProblem(legacyUpload(alice, clip, { name: 'x', channelId: String(aliceChannel) }), 400, 'invalid_params');
    await expectProblem(alice.request('POST', '/api/v1/videos/upload', { body: (() => { const f = new FormData(); f.append('name', 'No file'); f.append('channelId', String(aliceChannel)); return f; })() }), 400);
    const quota = await alice.get<{ videoQuotaUsed: number; videoQuotaUsedDaily: number }>('/api/v1/users/me/video-quota-used');
    expect(quota.videoQuotaUsed).toBeGreaterThan(0);
    expect(quota.videoQuotaUsedDaily).toBe(quota.videoQuotaUsed);
    const aliceId = (await alice.get<User>('/api/v1/users/me')).id;
    await root.request('PUT', `/api/v1/users/${aliceId}`, { json: { videoQuota: quota.videoQuotaUsed + 1000 } });
    await expectProblem(legacyUpload(alice, clip, { name: 'Over quota', channelId: String(aliceChannel) }), 413, 'quota_reached');
    expect(await server.sql('SELECT id FROM video ORDER BY id')).toEqual(before);
    expect((await readdir(join(server.storage, 'tmp'), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)).toEqual([]);
    // Nowhere else either: the whole storage holds the same files as before the refused uploads.
    expect(await storedFiles(server.storage)).toEqual(filesBefore);
  });

  it('deletes by the owner or a moderator, with every file', async () => {
    const carol = await server.login('carol', 'password1');
    await expectProblem(carol.request('DELETE', `/api/v1/videos/${ids.music.uuid}`), 403, 'not_video_owner');
    const video = await alice.get<VideoDetails>(`/api/v1/videos/${ids.music.uuid}`);
    const rows = await server.sql<{ filename: string; torrent_filename: string }>('SELECT filename, torrent_filename FROM video_file WHERE video_id = $1', [video.id]);
    const thumbs = await server.sql<{ filename: string; type: number }>('SELECT filename, type FROM thumbnail WHERE video_id = $1', [video.id]);
    const paths = [
      join(server.storage, 'web-videos', rows[0].filename),
      join(server.storage, 'torrents', rows[0].torrent_filename),
      ...thumbs.map((t) => join(server.storage, t.type === 1 ? 'thumbnails' : 'previews', t.filename)),
    ];
    expect(paths.every((p) => existsSync(p))).toBe(true);
    await alice.request('DELETE', `/api/v1/videos/${ids.music.uuid}`);
    expect(paths.some((p) => existsSync(p))).toBe(false);
    await expectProblem(anon.get(`/api/v1/videos/${ids.music.uuid}`), 404, 'video_not_found');
    await root.request('DELETE', `/api/v1/videos/${ids.nsfw.id}`); // a moderator may
    await expectProblem(alice.request('DELETE', `/api/v1/videos/${ids.nsfw.id}`), 404);
  });
});
