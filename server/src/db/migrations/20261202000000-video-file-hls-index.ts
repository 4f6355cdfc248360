import type { MigrationContext } from '../migrator';

/**
 * What the master playlist and `segments-sha256.json` need of an HLS rendition, computed once when
 * it arrives: rewriting the index after each new rung no longer hashes and probes every older one.
 * NULL for rows written before (computed on the next rewrite and stored then).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`ALTER TABLE video_file
    ADD COLUMN codecs VARCHAR(100),
    ADD COLUMN duration REAL,
    ADD COLUMN segments_sha256 JSONB`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE video_file DROP COLUMN codecs, DROP COLUMN duration, DROP COLUMN segments_sha256');
}
