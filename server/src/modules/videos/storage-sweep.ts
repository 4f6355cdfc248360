import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { AppConfig } from '../../config/config';
import { isUuid } from './video-paths';

/** Files younger than this are never touched: an upload or a rendition may be between its file and its row. */
export const ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;

async function oldEntries(dir: string, minAgeMs: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names) {
    const st = await stat(join(dir, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > minAgeMs) out.push(name);
  }
  return out;
}

async function known(sequelize: Sequelize, sql: string, names: string[]): Promise<Set<string>> {
  if (!names.length) return new Set();
  const rows = await sequelize.query<{ name: string }>(sql, { replacements: { names }, type: QueryTypes.SELECT });
  return new Set(rows.map((r) => r.name));
}

/**
 * Removes video files no row refers to (a crash between writing a file and committing its row, a
 * user deleted with its videos by a cascade): web videos, torrents, thumbnails, previews, HLS folders.
 */
export async function sweepOrphanFiles(config: AppConfig, sequelize: Sequelize, minAgeMs = ORPHAN_MIN_AGE_MS): Promise<number> {
  const folders: Array<{ dir: string; sql: string; folders?: boolean }> = [
    { dir: config.paths.webVideos, sql: 'SELECT filename AS name FROM video_file WHERE filename IN (:names)' },
    { dir: config.paths.torrents, sql: 'SELECT torrent_filename AS name FROM video_file WHERE torrent_filename IN (:names)' },
    { dir: config.paths.thumbnails, sql: 'SELECT filename AS name FROM thumbnail WHERE type = 1 AND filename IN (:names)' },
    { dir: config.paths.previews, sql: 'SELECT filename AS name FROM thumbnail WHERE type = 2 AND filename IN (:names)' },
    { dir: join(config.paths.streamingPlaylists, 'hls'), sql: 'SELECT uuid::text AS name FROM video WHERE uuid::text IN (:names)', folders: true },
  ];
  let removed = 0;
  for (const f of folders) {
    let names = await oldEntries(f.dir, minAgeMs);
    // Only what Flotilla names itself: anything else in these folders is not ours to judge.
    names = f.folders ? names.filter((n) => isUuid(n)) : names.filter((n) => /^[0-9a-f-]{36}[.-]/.test(n));
    for (let i = 0; i < names.length; i += 500) {
      const batch = names.slice(i, i + 500);
      const keep = await known(sequelize, f.sql, batch);
      for (const name of batch) {
        if (keep.has(name)) continue;
        const path = join(f.dir, name);
        await (f.folders ? rm(path, { recursive: true, force: true }) : unlink(path)).catch(() => undefined);
        removed++;
      }
    }
  }
  return removed;
}
