import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VideoPrivacy } from '@flotilla/shared';
import type { AppConfig } from '../../../config/config';
import { LocalStorageProvider } from './local-storage.provider';

const UUID = '0b6c1e9e-4a6f-4d5e-9f59-2c1e7b0f1a2b';

describe('LocalStorageProvider', () => {
  let root: string;
  let storage: LocalStorageProvider;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-storage-'));
    const paths = { tmp: join(root, 'tmp'), webVideos: join(root, 'web'), streamingPlaylists: join(root, 'sp'), thumbnails: join(root, 'th'), previews: join(root, 'pv'), avatars: join(root, 'av'), torrents: join(root, 'tr') };
    const config = { paths, webserverUrl: 'https://v.example', webserverHost: 'v.example' } as unknown as AppConfig;
    storage = new LocalStorageProvider(config);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('moves a staged file in, stats, lists, reads and removes it', async () => {
    const staged = join(root, 'staged.mp4');
    await writeFile(staged, 'twelve bytes');
    const key = { area: 'web-videos' as const, name: `${UUID}-720.mp4` };
    await storage.moveFileIn(staged, key);
    expect(await readdir(root)).not.toContain('staged.mp4');
    expect((await storage.stat(key))?.size).toBe(12);
    expect((await storage.list('web-videos')).map((e) => e.name)).toEqual([key.name]);
    expect(await storage.readText(key, 100)).toBe('twelve bytes');
    expect(await storage.readText(key, 5)).toBeNull();
    await storage.remove(key);
    await storage.remove(key);
    expect(await storage.stat(key)).toBeNull();
  });

  it('keeps HLS objects in a folder per video, removed as a whole', async () => {
    await storage.playlistWritten({ area: 'hls', name: `${UUID.toUpperCase()}/master.m3u8` }, '#EXTM3U\n');
    expect(await readdir(join(root, 'sp', 'hls'))).toEqual([UUID]);
    expect((await storage.list('hls'))[0]).toMatchObject({ name: UUID, isFolder: true });
    await storage.removeFolder('hls', UUID);
    expect(await readdir(join(root, 'sp', 'hls'))).toEqual([]);
  });

  it('refuses names that could leave their area', () => {
    for (const name of ['../x.mp4', 'a/b.mp4', '/etc/passwd', '..', '']) {
      expect(() => storage.pathOf({ area: 'web-videos', name })).toThrow();
    }
    expect(() => storage.pathOf({ area: 'hls', name: '../../etc/x' })).toThrow();
    expect(() => storage.pathOf({ area: 'hls', name: `${UUID}/../x` })).toThrow();
    expect(() => storage.pathOf({ area: 'hls', name: `${UUID}/a/b` })).toThrow();
  });

  it('gives private videos’ files their private URL', () => {
    const key = { area: 'web-videos' as const, name: `${UUID}-720.mp4` };
    expect(storage.publicUrl(key, { privacy: VideoPrivacy.PUBLIC })).toBe(`https://v.example/static/web-videos/${key.name}`);
    expect(storage.publicUrl(key, { privacy: VideoPrivacy.PRIVATE })).toBe(`https://v.example/static/web-videos/private/${key.name}`);
    expect(storage.publicUrl({ area: 'hls', name: `${UUID}/m.m3u8` }, { privacy: VideoPrivacy.INTERNAL })).toBe(
      `https://v.example/static/streaming-playlists/hls/private/${UUID}/m.m3u8`,
    );
  });
});
