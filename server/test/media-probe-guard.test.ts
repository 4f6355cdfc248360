import { execFileSync } from 'node:child_process';
import { copyFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip, resumableUpload } from './helpers/videos';

/**
 * Uploads whose content is a manifest naming other files (DASH, HLS, ffconcat): ffprobe left to
 * itself follows them, which reads local media into the instance and answers differently when the
 * path exists. The canary is a real video outside storage: its access time (set far in the past,
 * so relatime updates it on any read) shows whether anything opened it.
 */
describe('media probing opens only the uploaded file', () => {
  let server: TestServer;
  let root: ApiClient;
  let dir: string;
  let canary: string;
  let channelId: number;

  const manifests = (): Array<{ name: string; body: string }> => [
    {
      name: 'dash-baseurl',
      body:
        `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" ` +
        `profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" ` +
        `bandwidth="1000" width="320" height="240" codecs="avc1.64000d"><BaseURL>${canary}</BaseURL><SegmentBase indexRange="0-2000"/>` +
        `</Representation></AdaptationSet></Period></MPD>\n`,
    },
    {
      name: 'dash-file-url',
      body:
        `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S"><BaseURL>file://${dir}/</BaseURL>` +
        `<Period><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1" codecs="avc1.64000d">` +
        `<SegmentList duration="2"><SegmentURL media="canary.mp4"/></SegmentList></Representation></AdaptationSet></Period></MPD>`,
    },
    { name: 'hls-media-playlist', body: `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${canary}\n#EXT-X-ENDLIST\n` },
    { name: 'hls-master-playlist', body: `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nfile://${canary}\n` },
    { name: 'ffconcat', body: `ffconcat version 1.0\nfile '${canary}'\nduration 2\n` },
  ];

  const resetCanary = () => utimesSync(canary, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
  const canaryRead = () => statSync(canary).atimeMs > Date.parse('2002-01-01T00:00:00Z');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-probe-guard-'));
    canary = join(dir, 'canary.mp4');
    copyFileSync(makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' }), canary);
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } } });
    root = await server.login();
    channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the canary check itself works: an unguarded ffprobe of the DASH manifest reads the canary', () => {
    const file = join(dir, 'manifest-unguarded.mp4');
    writeFileSync(file, manifests()[0].body);
    resetCanary();
    expect(canaryRead()).toBe(false);
    execFileSync('ffprobe', ['-v', 'quiet', '-show_format', file]);
    expect(canaryRead()).toBe(true);
  });

  it('refuses every manifest shape with 422 on the legacy upload, without opening the canary', async () => {
    for (const m of manifests()) {
      const file = join(dir, `${m.name}.mp4`);
      writeFileSync(file, m.body);
      resetCanary();
      await expectProblem(legacyUpload(root, file, { name: `Manifest ${m.name}`, channelId: String(channelId) }), 422, 'invalid_media_file');
      expect(canaryRead(), m.name).toBe(false);
    }
  });

  it('refuses them on the resumable upload too', async () => {
    for (const m of manifests()) {
      const file = join(dir, `${m.name}-resumable.mp4`);
      writeFileSync(file, m.body);
      resetCanary();
      await expectProblem(resumableUpload(root, file, { name: `Manifest ${m.name}`, channelId, filename: 'x.mp4' }, 1024 * 1024), 422, 'invalid_media_file');
      expect(canaryRead(), m.name).toBe(false);
    }
    expect(await server.sql('SELECT id FROM video WHERE name LIKE $1', ['Manifest%'])).toEqual([]);
  });

  it('still accepts a real video (the guard is not a blanket refusal)', async () => {
    const created = await legacyUpload(root, join(dir, 'clip.mp4'), { name: 'Real clip', channelId: String(channelId) });
    expect(created.video.id).toBeGreaterThan(0);
  });
});
