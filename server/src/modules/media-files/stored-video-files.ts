import { thumbnailArea } from './image-files.service';
import type { StorageKey, StorageProvider } from './providers/storage-provider';

/** What a video's stored files are known by: its rows, as plain values. */
export interface VideoFilesOwner {
  uuid: string;
  VideoFiles?: Array<{ filename: string; torrentFilename: string | null }>;
  VideoStreamingPlaylists?: Array<{ VideoFiles?: Array<{ torrentFilename: string | null }> }>;
  Thumbnails?: Array<{ type: number; filename: string }>;
}

/** Removes every stored file of a deleted video: web videos, torrents, images and the HLS folder. */
export async function removeStoredVideoFiles(storage: StorageProvider, video: VideoFilesOwner): Promise<void> {
  const keys: StorageKey[] = [];
  for (const f of video.VideoFiles ?? []) {
    keys.push({ area: 'web-videos', name: f.filename });
    if (f.torrentFilename) keys.push({ area: 'torrents', name: f.torrentFilename });
  }
  for (const p of video.VideoStreamingPlaylists ?? []) {
    for (const f of p.VideoFiles ?? []) if (f.torrentFilename) keys.push({ area: 'torrents', name: f.torrentFilename });
  }
  for (const t of video.Thumbnails ?? []) keys.push({ area: thumbnailArea(t.type), name: t.filename });
  await Promise.all(keys.map((k) => storage.remove(k).catch(() => undefined)));
  await storage.removeFolder('hls', video.uuid.toLowerCase());
}
