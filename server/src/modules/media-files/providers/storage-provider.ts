import type { Readable } from 'node:stream';

/**
 * Where stored media lives. Each area is one folder of the local disk today (`config.paths`), one
 * bucket prefix for an object store tomorrow; HLS objects are named `<video uuid>/<file>`.
 */
export type StorageArea = 'web-videos' | 'torrents' | 'thumbnails' | 'previews' | 'hls' | 'avatars';

export interface StorageKey {
  area: StorageArea;
  /** A file name Flotilla generated, or `<uuid>/<file>` in the `hls` area. Never from a client as is. */
  name: string;
}

export interface StoredObjectInfo {
  size: number;
  modifiedAt: number;
  isFolder: boolean;
}

/** Who may read an object: private and internal videos' files are only served with a token. */
export interface PublicUrlOptions {
  privacy: number;
}

/** Injection token of the one StorageProvider (chosen in media-files.module.ts). */
export const STORAGE_PROVIDER = Symbol('STORAGE_PROVIDER');

/**
 * The storage port of media files, after owncast's storage providers: every byte of stored media
 * is written, moved, removed, read and addressed through it, so an object-store implementation
 * plugs in without touching its callers. Work that needs a real file (ffmpeg, sharp, hashing) is
 * done on the local staging copy before it is moved in, or through `withLocalFile`.
 */
export interface StorageProvider {
  /** Moves a finished local file (from the staging area) in; the local file is gone afterwards. */
  moveFileIn(localPath: string, key: StorageKey): Promise<void>;
  /** Writes an object whole; readers never see half of it. */
  writeObject(key: StorageKey, content: string | Buffer): Promise<void>;
  /** An HLS segment (or single-file fMP4) was written locally: store it (owncast's SegmentWritten). */
  segmentWritten(localPath: string, key: StorageKey): Promise<void>;
  /** A media or master playlist's new text (owncast's MasterPlaylistWritten / VariantPlaylistWritten). */
  playlistWritten(key: StorageKey, content: string): Promise<void>;
  /** The text of a small object, null when it does not exist or is larger than `maxBytes`. */
  readText(key: StorageKey, maxBytes: number): Promise<string | null>;
  /** Removes an object; a missing one is not an error. */
  remove(key: StorageKey): Promise<void>;
  /** Removes every object under `<prefix>/` of an area (a video's HLS folder). */
  removeFolder(area: StorageArea, prefix: string): Promise<void>;
  stat(key: StorageKey): Promise<StoredObjectInfo | null>;
  /** Top-level entries of an area (files, or folders such as HLS ones), for sweeps. */
  list(area: StorageArea): Promise<Array<{ name: string } & StoredObjectInfo>>;
  createReadStream(key: StorageKey, range?: { start: number; end: number }): Readable;
  /** Runs `fn` on a local path holding the object (the object itself for a local disk). */
  withLocalFile<T>(key: StorageKey, fn: (path: string) => Promise<T>): Promise<T>;
  /** The URL clients and peers fetch the object at. */
  publicUrl(key: StorageKey, opts: PublicUrlOptions): string;
}
