import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import type { FeedToken, User, VideoDetails } from '@flotilla/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../client/src/api/http';
import { assertProblemShape, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

describe('feeds: videos, subscriptions and podcast (RSS, Atom, JSON Feed)', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let dir: string;
  let rootChannel: number;
  let aliceChannel: number;
  let aliceAccount: number;
  let publicVideo: VideoDetails;
  let privateVideo: VideoDetails;
  let hiddenVideo: VideoDetails;

  const fetchFeed = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const expectFeedProblem = async (path: string, status: number, code?: string) => {
    const res = await fetch(`${server.url}${path}`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
    assertProblemShape(res.headers.get('content-type'), body, status);
    if (code) expect(body.code).toBe(code);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-feeds-'));
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2 });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2 } });
    alice = await server.login('alice', 'password1');
    const aliceMe = await alice.get<User>('/api/v1/users/me');
    aliceChannel = aliceMe.videoChannels[0].id;
    aliceAccount = aliceMe.account.id;
    rootChannel = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const up = async (api: ApiClient, channelId: number, name: string, privacy: number) => {
      const { video } = await legacyUpload(api, clip, { name, channelId: String(channelId), privacy: String(privacy), description: `About ${name}` });
      return api.get<VideoDetails>(`/api/v1/videos/${video.uuid}`);
    };
    publicVideo = await up(root, rootChannel, 'Root public video', 1);
    privateVideo = await up(root, rootChannel, 'Root private video', 3);
    await up(root, rootChannel, 'Root unlisted video', 2);
    await up(root, rootChannel, 'Root internal video', 4);
    hiddenVideo = await up(root, rootChannel, 'Root hidden video', 1);
    // Commented before it is hidden: its comments must leave the feeds with it.
    await root.request('POST', `/api/v1/videos/${hiddenVideo.id}/comment-threads`, { json: { text: 'On the hidden one' } });
    await root.request('POST', `/api/v1/videos/${hiddenVideo.uuid}/blacklist`, { json: { reason: 'hidden' } });
    await up(alice, aliceChannel, 'Alice public video', 1);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves public videos as RSS 2.0, private/unlisted/internal/hidden left out', async () => {
    for (const format of ['xml', 'rss', 'rss2']) {
      const res = await fetchFeed(`/feeds/videos.${format}`);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/application\/rss\+xml/);
      const feed = parseRssFeed(res.text);
      const titles = feed.items!.map((i) => i.title).sort();
      expect(titles).toEqual(['Alice public video', 'Root public video']);
    }
    const feed = parseRssFeed((await fetchFeed('/feeds/videos.xml')).text);
    const item = feed.items!.find((i) => i.title === 'Root public video')!;
    expect(item.link).toBe(`${server.url}/w/${publicVideo.shortUUID}`);
    expect(item.guid?.value).toBe(publicVideo.url);
    expect(item.description).toBe('About Root public video');
    expect(item.media?.thumbnails?.[0]?.url).toMatch(/^http/);
  });

  it('serves Atom and JSON Feed with the same videos', async () => {
    const atom = parseAtomFeed((await fetchFeed('/feeds/videos.atom')).text);
    expect(atom.entries!.map((e) => (e.title as { value?: string } | undefined)?.value).sort()).toEqual(['Alice public video', 'Root public video']);
    const json = await fetchFeed('/feeds/videos.json');
    expect(json.type).toMatch(/application\/feed\+json/);
    const parsed = parseJsonFeed(JSON.parse(json.text));
    expect(parsed.items!.map((i) => i.title).sort()).toEqual(['Alice public video', 'Root public video']);
    expect(parsed.items!.find((i) => i.title === 'Root public video')!.url).toBe(`${server.url}/w/${publicVideo.shortUUID}`);
  });

  it('filters by account and by channel, by id or name, and sorts', async () => {
    const titles = async (q: string) => parseRssFeed((await fetchFeed(`/feeds/videos.xml?${q}`)).text).items!.map((i) => i.title);
    expect(await titles(`accountId=${aliceAccount}`)).toEqual(['Alice public video']);
    expect(await titles('accountName=alice')).toEqual(['Alice public video']);
    expect(await titles(`videoChannelId=${rootChannel}`)).toEqual(['Root public video']);
    expect(await titles('videoChannelName=alice_channel')).toEqual(['Alice public video']);
    expect(await titles('sort=publishedAt')).toEqual(['Root public video', 'Alice public video']);
    expect(await titles('sort=-publishedAt')).toEqual(['Alice public video', 'Root public video']);
    const channelFeed = parseRssFeed((await fetchFeed(`/feeds/videos.xml?videoChannelId=${aliceChannel}`)).text);
    expect(channelFeed.title).toBe((await alice.get<User>('/api/v1/users/me')).videoChannels[0].displayName);
  });

  it('refuses bad formats and parameters (400) and unknown accounts or channels (404)', async () => {
    await expectFeedProblem('/feeds/videos.html', 400, 'invalid_params');
    await expectFeedProblem('/feeds/videos.xml?accountId=abc', 400, 'invalid_params');
    await expectFeedProblem('/feeds/videos.xml?sort=-secret', 400, 'invalid_params');
    await expectFeedProblem('/feeds/videos.xml?videoChannelId=0', 400, 'invalid_params');
    await expectFeedProblem('/feeds/videos.xml?accountId=99999', 404, 'account_not_found');
    await expectFeedProblem('/feeds/videos.xml?videoChannelId=99999', 404, 'video_channel_not_found');
    await expectFeedProblem('/feeds/videos.xml?videoChannelName=nope_nope', 404, 'video_channel_not_found');
    await expectFeedProblem('/feeds/podcast/videos.xml', 400, 'invalid_params');
    await expectFeedProblem('/feeds/podcast/videos.xml?videoChannelId=99999', 404, 'video_channel_not_found');
  });

  it('subscription feed: the feed token proves the reader; renewing it kills the old URL', async () => {
    const { feedToken } = await alice.get<FeedToken>('/api/v1/users/me/feed-token');
    expect(feedToken).toMatch(/^[0-9a-f-]{36}$/);
    // Alice's account follows root's channel (the row federation's follows keep).
    const [acc] = await server.sql<{ actor_id: number }>('SELECT actor_id FROM account WHERE id = $1', [aliceAccount]);
    const [ch] = await server.sql<{ actor_id: number }>('SELECT actor_id FROM video_channel WHERE id = $1', [rootChannel]);
    await server.sql(`INSERT INTO actor_follow (actor_id, target_actor_id, state, url) VALUES ($1, $2, 'accepted', 'http://x/follow/1')`, [acc.actor_id, ch.actor_id]);
    const path = (token: string, format = 'xml') => `/feeds/subscriptions.${format}?accountId=${aliceAccount}&token=${token}`;
    expect(parseRssFeed((await fetchFeed(path(feedToken))).text).items!.map((i) => i.title)).toEqual(['Root public video']);
    expect(parseJsonFeed(JSON.parse((await fetchFeed(path(feedToken, 'json'))).text)).items!.map((i) => i.title)).toEqual(['Root public video']);

    // Root's own token does not open Alice's subscriptions.
    const rootToken = (await root.get<FeedToken>('/api/v1/users/me/feed-token')).feedToken;
    await expectFeedProblem(path(rootToken), 403, 'feed_token_invalid');
    await expectFeedProblem(path('not-a-uuid'), 400, 'invalid_params');
    await expectFeedProblem(`/feeds/subscriptions.xml?token=${feedToken}`, 400, 'invalid_params');
    await expectFeedProblem(`/feeds/subscriptions.xml?accountId=99999&token=${feedToken}`, 404, 'account_not_found');

    const renewed = (await alice.request<FeedToken>('POST', '/api/v1/users/me/feed-token')).feedToken;
    expect(renewed).not.toBe(feedToken);
    await expectFeedProblem(path(feedToken), 403, 'feed_token_invalid');
    expect((await fetchFeed(path(renewed))).status).toBe(200);
  });

  it('feed-token endpoints need a logged-in user', async () => {
    const res = await fetch(`${server.url}/api/v1/users/me/feed-token`);
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/users/me/feed-token`, { method: 'POST' })).status).toBe(401);
  });

  it('podcast feed: an enclosure and a podcast:alternateEnclosure per rendition', async () => {
    const res = await fetchFeed(`/feeds/podcast/videos.xml?videoChannelId=${rootChannel}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('xmlns:podcast=');
    const feed = parseRssFeed(res.text);
    expect(feed.items!.map((i) => i.title)).toEqual(['Root public video']);
    const item = feed.items![0];
    const file = publicVideo.files[0];
    expect(item.enclosures?.[0]).toMatchObject({ url: file.fileUrl, length: file.size, type: 'video/mp4' });
    const alternates = item.podcast?.alternateEnclosures ?? [];
    expect(alternates.length).toBe(publicVideo.files.length + publicVideo.streamingPlaylists.length);
    expect(alternates[0].sources?.[0]?.uri).toBe(file.fileUrl);
    expect(item.itunes?.duration).toBe(publicVideo.duration);
    // The enclosure is really served.
    expect((await fetch(file.fileUrl, { method: 'HEAD' })).status).toBe(200);
  });

  it('comments feed: readable comments only (not on private or hidden videos, not held, not deleted), by video, account or channel', async () => {
    type Created = { comment: { id: number } };
    const threads = (v: VideoDetails) => `/api/v1/videos/${v.id}/comment-threads`;
    const first = (await alice.request<Created>('POST', threads(publicVideo), { json: { text: 'First comment' } })).comment;
    await root.request('POST', `/api/v1/videos/${publicVideo.id}/comments/${first.id}`, { json: { text: 'A reply' } });
    const gone = (await alice.request<Created>('POST', threads(publicVideo), { json: { text: 'Deleted comment' } })).comment;
    await alice.request('DELETE', `/api/v1/videos/${publicVideo.id}/comments/${gone.id}`);
    await root.request('POST', threads(privateVideo), { json: { text: 'On the private one' } });
    await root.request('PUT', `/api/v1/videos/${publicVideo.id}`, { json: { commentsPolicy: 3 } });
    await alice.request('POST', threads(publicVideo), { json: { text: 'Held comment' } });
    await root.request('PUT', `/api/v1/videos/${publicVideo.id}`, { json: { commentsPolicy: 1 } });

    const texts = async (q = '') => (parseRssFeed((await fetchFeed(`/feeds/video-comments.xml${q}`)).text).items ?? []).map((i) => i.description);
    expect(await texts()).toEqual(['A reply', 'First comment']);
    expect(await texts(`?videoId=${publicVideo.id}`)).toEqual(['A reply', 'First comment']);
    expect(await texts(`?videoChannelId=${rootChannel}`)).toEqual(['A reply', 'First comment']);
    expect(await texts(`?videoChannelId=${aliceChannel}`)).toEqual([]);
    expect(await texts('?accountName=alice')).toEqual([]);
    const item = parseRssFeed((await fetchFeed('/feeds/video-comments.xml')).text).items!.find((i) => i.description === 'First comment')!;
    expect(item.link).toBe(`${server.url}/w/${publicVideo.uuid};threadId=${first.id}`);
    const json = parseJsonFeed(JSON.parse((await fetchFeed('/feeds/video-comments.json')).text));
    expect(json.items!.map((i) => i.content_text)).toEqual(['A reply', 'First comment']);
    const atom = parseAtomFeed((await fetchFeed('/feeds/video-comments.atom')).text);
    expect(atom.entries!.length).toBe(2);

    await expectFeedProblem(`/feeds/video-comments.xml?videoId=${privateVideo.id}`, 401);
    await expectFeedProblem('/feeds/video-comments.xml?videoId=99999', 404);
    await expectFeedProblem('/feeds/video-comments.xml?videoId=abc', 400, 'invalid_params');
    await expectFeedProblem('/feeds/video-comments.html', 400, 'invalid_params');
    await expectFeedProblem('/feeds/video-comments.xml?videoChannelId=99999', 404, 'video_channel_not_found');
  });
});
