import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../../config/config';
import { hlsFileUrl, isSafeFilename, isUuid, STATIC_PATHS, webVideoUrl } from '../file-paths';
import type { PublicUrlOptions, StorageArea, StorageKey, StoredObjectInfo, StorageProvider } from './storage-provider';

/** rename(), or copy + unlink across file systems (tmp may be on another disk than storage). */
export async function moveLocalFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Readers never see half a file: write a sibling temp file, then rename over the target. */
async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The local disk: each area is one of `config.paths`' folders (owncast's local.go). */
export class LocalStorageProvider implements StorageProvider {
  constructor(private readonly config: AppConfig) {}

  private root(area: StorageArea): string {
    const p = this.config.paths;
    switch (area) {
      case 'web-videos':
        return p.webVideos;
      case 'torrents':
        return p.torrents;
      case 'thumbnails':
        return p.thumbnails;
      case 'previews':
        return p.previews;
      case 'avatars':
        return p.avatars;
      case 'hls':
        return join(p.streamingPlaylists, 'hls');
    }
  }

  /** The key's path, checked: names are ours, but a bad one must never reach outside the area. */
  pathOf(key: StorageKey): string {
    const parts = key.name.split('/');
    const ok = key.area === 'hls' ? parts.length <= 2 && isUuid(parts[0]!) && (parts.length === 1 || isSafeFilename(parts[1]!)) : parts.length === 1 && isSafeFilename(parts[0]!);
    if (!ok) throw new Error(`not a stored object name: ${key.area}/${key.name}`);
    // HLS folders are named by the lower-case UUID whatever case a caller spells it in.
    if (key.area === 'hls') parts[0] = parts[0]!.toLowerCase();
    return join(this.root(key.area), ...parts);
  }

  async moveFileIn(localPath: string, key: StorageKey): Promise<void> {
    const to = this.pathOf(key);
    await mkdir(dirname(to), { recursive: true });
    await moveLocalFile(localPath, to);
  }

  async writeObject(key: StorageKey, content: string | Buffer): Promise<void> {
    const to = this.pathOf(key);
    await mkdir(dirname(to), { recursive: true });
    await writeFileAtomic(to, content);
  }

  segmentWritten(localPath: string, key: StorageKey): Promise<void> {
    return this.moveFileIn(localPath, key);
  }

  playlistWritten(key: StorageKey, content: string): Promise<void> {
    return this.writeObject(key, content);
  }

  async readText(key: StorageKey, maxBytes: number): Promise<string | null> {
    const fh = await open(this.pathOf(key), 'r').catch(() => null);
    if (!fh) return null;
    try {
      const { size } = await fh.stat();
      if (size > maxBytes) return null;
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  }

  async remove(key: StorageKey): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async removeFolder(area: StorageArea, prefix: string): Promise<void> {
    await rm(this.pathOf({ area, name: prefix }), { recursive: true, force: true });
  }

  async stat(key: StorageKey): Promise<StoredObjectInfo | null> {
    const st = await stat(this.pathOf(key)).catch(() => null);
    return st ? { size: st.size, modifiedAt: st.mtimeMs, isFolder: st.isDirectory() } : null;
  }

  async list(area: StorageArea): Promise<Array<{ name: string } & StoredObjectInfo>> {
    const dir = this.root(area);
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: Array<{ name: string } & StoredObjectInfo> = [];
    for (const name of names) {
      const st = await stat(join(dir, name)).catch(() => null);
      if (st) out.push({ name, size: st.size, modifiedAt: st.mtimeMs, isFolder: st.isDirectory() });
    }
    return out;
  }

  createReadStream(key: StorageKey, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range);
  }

  withLocalFile<T>(key: StorageKey, fn: (path: string) => Promise<T>): Promise<T> {
    return fn(this.pathOf(key));
  }

  publicUrl(key: StorageKey, opts: PublicUrlOptions): string {
    switch (key.area) {
      case 'web-videos':
        return webVideoUrl(this.config, opts.privacy, key.name);
      case 'hls': {
        const [uuid, file] = key.name.split('/');
        return hlsFileUrl(this.config, opts.privacy, uuid!, file ?? '');
      }
      case 'thumbnails':
        return this.config.webserverUrl + STATIC_PATHS.thumbnails + key.name;
      case 'previews':
        return this.config.webserverUrl + STATIC_PATHS.previews + key.name;
      case 'torrents':
        return this.config.webserverUrl + STATIC_PATHS.torrents + key.name;
      case 'avatars':
        return `${this.config.webserverUrl}/lazy-static/avatars/${key.name}`;
    }
  }
}
