import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

// Remote objects: "search remote URI", remote channel/account pages, refresh of stale remote
// videos. A and B do not follow each other: everything A knows of B comes from a search.
const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hostOf = (s: TestServer) => new URL(s.url).host;
type List<T> = { total: number; data: T[] };
type V = { uuid: string; name: string; isLocal: boolean; channel: { name: string; host: string } };
type C = { name: string; host: string; displayName: string; description: string | null; avatars: { fileUrl?: string; width: number }[]; ownerAccount: { name: string; host: string } };

describe('remote objects: search remote URI, remote pages, refresh', () => {
  let a: TestServer;
  let b: TestServer;
  let guarded: TestServer;
  let channelName: string;
  let uuid: string;
  let videoUrl: string;
  beforeAll(async () => {
    // `guarded` keeps the SSRF guard on (the default): B, on loopback, is out of its reach.
    [a, b, guarded] = await Promise.all([TestServer.start(FED), TestServer.start(FED), TestServer.start({ rates_limit: { enabled: false }, transcoding: { enabled: false } })]);
    const rootB = await b.login();
    const me = await rootB.request<{ videoChannels: { id: number; name: string }[] }>('GET', '/api/v1/users/me');
    channelName = me.videoChannels[0].name;
    await rootB.request('PUT', `/api/v1/video-channels/${channelName}`, { json: { displayName: 'B channel', description: 'About B' } });
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.append('avatarfile', new Blob([png], { type: 'image/png' }), 'avatar.png');
    await rootB.request('POST', `/api/v1/video-channels/${channelName}/avatar/pick`, { body: form });
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-remote-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(rootB, clip, { name: 'Only on B', channelId: String(me.videoChannels[0].id), privacy: '1' });
    uuid = video.uuid;
    videoUrl = `${b.url}/videos/watch/${uuid}`;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), guarded?.stop()]);
  });

  const storedOnA = async (u: string) => (await a.sql('SELECT 1 FROM video WHERE uuid = $1', [u])).length > 0;

  it('exposes search.remoteUri in /api/v1/config as PeerTube (users yes, anonymous no)', async () => {
    const config = await a.api.request<{ search: { remoteUri: { users: boolean; anonymous: boolean } } }>('GET', '/api/v1/config');
    expect(config.search.remoteUri).toEqual({ users: true, anonymous: false });
  });

  it('a pasted video URL: not fetched for an anonymous visitor, fetched for a logged-in user, then known to everyone', async () => {
    const anonymous = await a.api.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: videoUrl } });
    expect(anonymous).toEqual({ total: 0, data: [] });
    expect(await storedOnA(uuid)).toBe(false);

    const rootA = await a.login();
    const found = await rootA.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: videoUrl } });
    expect(found.total).toBe(1);
    expect(found.data[0]).toMatchObject({ uuid, name: 'Only on B', isLocal: false, channel: { name: channelName, host: hostOf(b) } });
    expect(await storedOnA(uuid)).toBe(true);
    // The short watch URL of the same video resolves to it too (the origin serves the object there).
    const short = await b.api.request<{ shortUUID: string }>('GET', `/api/v1/videos/${uuid}`);
    const byShort = await rootA.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: `${b.url}/w/${short.shortUUID}` } });
    expect(byShort.data.map((v) => v.uuid)).toEqual([uuid]);
    // Known now: an anonymous search of the URL finds the stored copy (no fetch needed).
    expect((await a.api.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: videoUrl } })).data.map((v) => v.uuid)).toEqual([uuid]);
    // Remote videos are in /videos with isLocal and the host filter; not in the local scope.
    const remoteOnly = await a.api.request<List<V>>('GET', '/api/v1/videos', { query: { isLocal: 'false' } });
    expect(remoteOnly.data.map((v) => v.uuid)).toContain(uuid);
    expect((await a.api.request<List<V>>('GET', '/api/v1/videos', { query: { isLocal: 'true' } })).data.map((v) => v.uuid)).not.toContain(uuid);
    expect((await a.api.request<List<V>>('GET', '/api/v1/videos', { query: { host: hostOf(b) } })).data.map((v) => v.uuid)).toEqual([uuid]);
  });

  it('a channel handle (WebFinger) or URL: fetched for a logged-in user, with its avatar, owner account and videos pages', async () => {
    const rootB = await b.login();
    await rootB.request('POST', '/api/v1/video-channels', { json: { name: 'second_b', displayName: 'Second on B' } });
    const rootA = await a.login();
    // Anonymous: not fetched, nothing stored.
    expect(await a.api.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `second_b@${hostOf(b)}` } })).toEqual({ total: 0, data: [] });
    await expectProblem(a.api.request('GET', `/api/v1/video-channels/second_b@${hostOf(b)}`), 404);

    const byHandle = await rootA.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `@second_b@${hostOf(b)}` } });
    expect(byHandle.total).toBe(1);
    expect(byHandle.data[0]).toMatchObject({ name: 'second_b', host: hostOf(b), displayName: 'Second on B', ownerAccount: { name: 'root', host: hostOf(b) } });
    const page = await a.api.request<C>('GET', `/api/v1/video-channels/second_b@${hostOf(b)}`);
    expect(page.displayName).toBe('Second on B');
    expect(await a.api.request<{ name: string; host: string }>('GET', `/api/v1/accounts/root@${hostOf(b)}`)).toMatchObject({ name: 'root', host: hostOf(b) });

    // By URL; its avatar points at B's file.
    const byUrl = await rootA.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `${b.url}/video-channels/${channelName}` } });
    expect(byUrl.data[0]).toMatchObject({ name: channelName, host: hostOf(b), displayName: 'B channel', description: 'About B' });
    expect(byUrl.data[0].avatars.length).toBeGreaterThan(0);
    expect(byUrl.data[0].avatars.every((i) => i.fileUrl?.startsWith(`${b.url}/lazy-static/avatars/`))).toBe(true);
    const videos = await a.api.request<List<V>>('GET', `/api/v1/video-channels/${channelName}@${hostOf(b)}/videos`);
    expect(videos.data.map((v) => v.uuid)).toEqual([uuid]);
    const accountVideos = await a.api.request<List<V>>('GET', `/api/v1/accounts/root@${hostOf(b)}/videos`);
    expect(accountVideos.data.map((v) => v.uuid)).toEqual([uuid]);
    // Text search lists known remote channels too, and filters on their host.
    const text = await a.api.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: 'second', host: hostOf(b) } });
    expect(text.data.map((c) => c.name)).toEqual(['second_b']);
    expect((await a.api.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: 'second', host: hostOf(a) } })).total).toBe(0);
  });

  it('bad cases: unknown handle, an account URL as a channel, garbage, SSRF guard on: empty results, nothing stored', async () => {
    const rootA = await a.login();
    const actorsBefore = (await a.sql('SELECT id FROM actor')).length;
    expect(await rootA.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `nobody@${hostOf(b)}` } })).toEqual({ total: 0, data: [] });
    await expectProblem(rootA.request('GET', `/api/v1/video-channels/nobody@${hostOf(b)}`), 404);
    expect(await rootA.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: 'nobody@127.0.0.1:1' } })).toEqual({ total: 0, data: [] });
    expect(await rootA.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: `${b.url}/videos/watch/00000000-0000-4000-8000-000000000000` } })).toEqual({ total: 0, data: [] });
    // A channel URL in the videos search, an account URL in the channels search: not what was asked.
    expect((await rootA.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: `${b.url}/video-channels/${channelName}` } })).total).toBe(0);
    expect((await rootA.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `${b.url}/accounts/root` } })).total).toBe(0);
    expect((await a.sql('SELECT id FROM actor')).length).toBe(actorsBefore);

    // The guard refuses loopback: a logged-in user's search on `guarded` fetches nothing.
    const rootG = await guarded.login();
    expect(await rootG.request<List<V>>('GET', '/api/v1/search/videos', { query: { search: videoUrl } })).toEqual({ total: 0, data: [] });
    expect(await rootG.request<List<C>>('GET', '/api/v1/search/video-channels', { query: { search: `${channelName}@${hostOf(b)}` } })).toEqual({ total: 0, data: [] });
    expect(await guarded.sql('SELECT 1 FROM video WHERE uuid = $1', [uuid])).toHaveLength(0);
    expect(await guarded.sql('SELECT 1 FROM actor WHERE server_id IS NOT NULL')).toHaveLength(0);
  });

  it('a stale remote video is refreshed when read; one its origin deleted disappears on that refresh', async () => {
    const rootB = await b.login();
    const nameOnA = async () => (await a.api.request<{ name: string }>('GET', `/api/v1/videos/${uuid}`)).name;
    // Renamed at the origin: A has no follow, so no Update reaches it.
    await rootB.request('PUT', `/api/v1/videos/${uuid}`, { json: { name: 'Renamed at origin' } });
    expect(await nameOnA()).toBe('Only on B');
    // Fresh: reading does not refetch.
    await new Promise((r) => setTimeout(r, 500));
    expect(await nameOnA()).toBe('Only on B');
    // Stale (fetched 3 days ago): the read answers the stored copy and refreshes it behind.
    await a.sql(`UPDATE remote_video SET fetched_at = now() - interval '3 days' WHERE video_id = (SELECT id FROM video WHERE uuid = $1)`, [uuid]);
    expect(await nameOnA()).toBe('Only on B');
    await until('the refreshed name', async () => (await nameOnA()) === 'Renamed at origin');

    // Deleted at the origin without a Delete reaching A.
    await rootB.request('DELETE', `/api/v1/videos/${uuid}`);
    expect(await storedOnA(uuid)).toBe(true);
    await a.api.request('GET', `/api/v1/videos/${uuid}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedOnA(uuid)).toBe(true);
    await a.sql(`UPDATE remote_video SET fetched_at = now() - interval '3 days' WHERE video_id = (SELECT id FROM video WHERE uuid = $1)`, [uuid]);
    await a.api.request('GET', `/api/v1/videos/${uuid}`);
    await until('the copy removed', async () => !(await storedOnA(uuid)));
    await expectProblem(a.api.request('GET', `/api/v1/videos/${uuid}`), 404);
  });

  it("a stale remote channel is refreshed when its page is read (profile changed at the origin, no Update sent)", async () => {
    const rootB = await b.login();
    const handle = `${channelName}@${hostOf(b)}`;
    const onA = async () => (await a.api.request<C>('GET', `/api/v1/video-channels/${handle}`)).displayName;
    await rootB.request('PUT', `/api/v1/video-channels/${channelName}`, { json: { displayName: 'B channel, renamed' } });
    expect(await onA()).toBe('B channel');
    await new Promise((r) => setTimeout(r, 500));
    expect(await onA()).toBe('B channel');
    await a.sql(`UPDATE actor SET updated_at = now() - interval '3 days' WHERE url = $1`, [`${b.url}/video-channels/${channelName}`]);
    expect(await onA()).toBe('B channel');
    await until('the refreshed channel', async () => (await onA()) === 'B channel, renamed');
  });
});
