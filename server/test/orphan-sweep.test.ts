import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '@flotilla/shared';
import { waitFor } from './helpers/runners';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/**
 * The housekeeping sweep of files no row names (videos.jobs → media-files' sweepOrphanFiles): old
 * orphans go, the files and HLS folders of existing videos stay, young files are left alone.
 */
describe('orphan file sweep', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-sweep-'));
    // The sweep runs every quarter of the resumable-upload expiry (at least 1 s).
    server = await TestServer.start({ transcoding: { enabled: false }, uploads: { resumable_expiration: '4 seconds' } });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes old files and HLS folders no video owns, keeps those of existing videos and young ones', async () => {
    const admin = await server.login();
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await legacyUpload(admin, makeClip(dir, 'clip.mp4', { seconds: 1 }), { name: 'kept', channelId: String(channelId), privacy: '1' });
    const webDir = join(server.storage, 'web-videos');
    const hlsDir = join(server.storage, 'streaming-playlists', 'hls');
    mkdirSync(hlsDir, { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    const age = (p: string) => utimesSync(p, old, old);

    const keptFiles = readdirSync(webDir);
    expect(keptFiles.length).toBeGreaterThan(0);
    for (const f of keptFiles) age(join(webDir, f));
    const keptFolder = join(hlsDir, video.uuid);
    mkdirSync(keptFolder);
    age(keptFolder);

    const orphanFile = join(webDir, `${randomUUID()}-720.mp4`);
    writeFileSync(orphanFile, 'orphan');
    age(orphanFile);
    const orphanFolder = join(hlsDir, randomUUID());
    mkdirSync(orphanFolder);
    writeFileSync(join(orphanFolder, 'master.m3u8'), '#EXTM3U\n');
    age(orphanFolder);
    const youngOrphan = join(webDir, `${randomUUID()}-480.mp4`);
    writeFileSync(youngOrphan, 'young');

    await waitFor(async () => !existsSync(orphanFile) && !existsSync(orphanFolder), 30_000, 250);
    for (const f of keptFiles) expect(existsSync(join(webDir, f))).toBe(true);
    expect(existsSync(keptFolder)).toBe(true);
    expect(existsSync(youngOrphan)).toBe(true);
  }, 60_000);
});
