import { QueryTypes, type Sequelize } from 'sequelize';
import type { AppConfig } from '../../config/config';
import { isUuid } from './file-paths';
import { createStorageProvider } from './providers/create-storage-provider';
import type { StorageArea, StorageProvider } from './providers/storage-provider';

/** Files younger than this are never touched: an upload or a rendition may be between its file and its row. */
export const ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;

async function known(sequelize: Sequelize, sql: string, names: string[]): Promise<Set<string>> {
  if (!names.length) return new Set();
  const rows = await sequelize.query<{ name: string }>(sql, { replacements: { names }, type: QueryTypes.SELECT });
  return new Set(rows.map((r) => r.name));
}

/**
 * Removes video files no row refers to (a crash between writing a file and committing its row, a
 * user deleted with its videos by a cascade): web videos, torrents, thumbnails, previews, HLS folders.
 */
export async function sweepOrphanFiles(
  config: AppConfig,
  sequelize: Sequelize,
  /** Which of these video uuids exist: asked of the videos module, which owns the table. */
  knownVideoUuids: (uuids: string[]) => Promise<Set<string>>,
  minAgeMs = ORPHAN_MIN_AGE_MS,
  storage: StorageProvider = createStorageProvider(config),
): Promise<number> {
  const areas: Array<{ area: StorageArea; sql?: string; folders?: boolean }> = [
    { area: 'web-videos', sql: 'SELECT filename AS name FROM video_file WHERE filename IN (:names)' },
    { area: 'torrents', sql: 'SELECT torrent_filename AS name FROM video_file WHERE torrent_filename IN (:names)' },
    { area: 'thumbnails', sql: 'SELECT filename AS name FROM thumbnail WHERE type = 1 AND filename IN (:names)' },
    { area: 'previews', sql: 'SELECT filename AS name FROM thumbnail WHERE type = 2 AND filename IN (:names)' },
    { area: 'hls', folders: true },
  ];
  let removed = 0;
  for (const f of areas) {
    const entries = await storage.list(f.area);
    let names = entries.filter((e) => Date.now() - e.modifiedAt > minAgeMs).map((e) => e.name);
    // Only what Flotilla names itself: anything else in these folders is not ours to judge.
    names = f.folders ? names.filter((n) => isUuid(n)) : names.filter((n) => /^[0-9a-f-]{36}[.-]/.test(n));
    for (let i = 0; i < names.length; i += 500) {
      const batch = names.slice(i, i + 500);
      const keep = f.sql ? await known(sequelize, f.sql, batch) : await knownVideoUuids(batch);
      for (const name of batch) {
        if (keep.has(name)) continue;
        await (f.folders ? storage.removeFolder(f.area, name) : storage.remove({ area: f.area, name })).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}
