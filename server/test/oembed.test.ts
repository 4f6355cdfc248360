import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';

describe('oEmbed for the embed player', () => {
  let server: TestServer;
  let root: ApiClient;
  const ids: Record<string, { uuid: string; shortUUID: string }> = {};
  beforeAll(async () => {
    server = await TestServer.start({ transcoding: { enabled: false } });
    root = await server.login();
    const clip = join(server.storage, 'clip.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip]);
    const me = await root.get<{ videoChannels: Array<{ id: number }> }>('/api/v1/users/me');
    for (const [name, privacy] of [['public one', '1'], ['private one', '3']]) {
      const form = new FormData();
      form.append('name', name);
      form.append('privacy', privacy);
      form.append('channelId', String(me.videoChannels[0].id));
      form.append('videofile', new Blob([readFileSync(clip)], { type: 'video/mp4' }), 'clip.mp4');
      ids[name] = (await root.request<{ video: { uuid: string; shortUUID: string } }>('POST', '/api/v1/videos/upload', { body: form })).video;
    }
  });
  afterAll(async () => server?.stop());

  it('turns a watch URL into an iframe of the embed page', async () => {
    const v = ids['public one'];
    const res = await server.api.get<Record<string, any>>('/services/oembed', { url: `${server.url}/w/${v.shortUUID}`, maxwidth: 640 });
    expect(res).toMatchObject({ type: 'video', version: '1.0', title: 'public one', width: 640, height: 360, provider_url: server.url });
    expect(res.html).toContain(`src="${server.url}/videos/embed/${v.uuid}"`);
    expect(res.thumbnail_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lazy-static\/thumbnails\//);
    const embed = await fetch(`${server.url}/videos/embed/${v.uuid}`, { headers: { Accept: 'text/html' } });
    expect(embed.status).toBe(200);
  });

  it('lists whole pages when channels and accounts have avatars (images are not joined into the LIMIT)', async () => {
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#884422' } }).png().toBuffer();
    for (const path of ['/api/v1/video-channels/root_channel/avatar/pick', '/api/v1/users/me/avatar/pick']) {
      const form = new FormData();
      form.append('avatarfile', new Blob([png], { type: 'image/png' }), 'a.png');
      await root.request('POST', path, { body: form });
    }
    const mine = await root.get<{ total: number; data: Array<{ channel: { avatars: unknown[] } }> }>('/api/v1/users/me/videos', { count: 2 });
    expect(mine.total).toBe(2);
    expect(mine.data).toHaveLength(2);
    expect(mine.data[0].channel.avatars).toHaveLength(3);
    const all = await root.get<{ total: number; data: unknown[] }>('/api/v1/videos', { count: 2, privacyOneOf: [1, 3] });
    expect(all.data).toHaveLength(all.total);
  });

  it('refuses private videos, other hosts, non-video URLs and xml', async () => {
    await expectProblem(server.api.get('/services/oembed', { url: `${server.url}/w/${ids['private one'].shortUUID}` }), 404);
    await expectProblem(server.api.get('/services/oembed', { url: `https://elsewhere.example/w/${ids['public one'].shortUUID}` }), 404);
    await expectProblem(server.api.get('/services/oembed', { url: `${server.url}/a/root` }), 404);
    await expectProblem(server.api.get('/services/oembed', { url: 'not a url' }), 400);
    await expectProblem(server.api.get('/services/oembed'), 400, 'invalid_params');
    await expectProblem(server.api.get('/services/oembed', { url: `${server.url}/w/${ids['public one'].shortUUID}`, format: 'xml' }), 501);
  });
});
