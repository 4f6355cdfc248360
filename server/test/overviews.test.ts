import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User, VideosOverview } from '@flotilla/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

describe('GET /api/v1/overviews/videos (PeerTube\'s Discover)', () => {
  let server: TestServer;
  let anon: ApiClient;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-overview-'));
    const clip = makeClip(dir, 'clip.mp4', { seconds: 1 });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    const root = await server.login();
    anon = new ApiClient(server.url);
    const channelId = String((await root.get<User>('/api/v1/users/me')).videoChannels[0].id);
    for (let i = 0; i < 3; i++) {
      await legacyUpload(root, clip, { name: `Cat video ${i}`, channelId, privacy: '1', category: '15', tags: 'cats' });
    }
    await legacyUpload(root, clip, { name: 'Private cat video', channelId, privacy: '3', category: '15', tags: 'cats' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('groups public videos by category, channel and tag, one of each per page', async () => {
    const o = await anon.get<VideosOverview>('/api/v1/overviews/videos');
    expect(o.categories.map((c) => [c.category.id, c.videos.length])).toEqual([[15, 3]]);
    expect(o.channels.map((c) => [c.channel.name, c.videos.length])).toEqual([['root_channel', 3]]);
    expect(o.tags.map((t) => [t.tag, t.videos.length])).toEqual([['cats', 3]]);
    expect(o.categories[0].videos.map((v) => v.name)).not.toContain('Private cat video');
    const page2 = await anon.get<VideosOverview>('/api/v1/overviews/videos', { page: 2 });
    expect(page2).toEqual({ categories: [], channels: [], tags: [] });
  });

  it('refuses bad pages', async () => {
    for (const page of ['0', 'abc', '21', '-1']) {
      await expectProblem(anon.get('/api/v1/overviews/videos', { page }), 400, 'invalid_params');
    }
  });
});
