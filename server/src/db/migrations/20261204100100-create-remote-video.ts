import type { MigrationContext } from '../migrator';

/**
 * What federation keeps of a remote video beside its row: the origin's thumbnail and preview
 * URLs, its tracker URLs, the origin's `updated` date (an older Update never overwrites a newer
 * one) and when it was last fetched (refreshed when stale).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE remote_video (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL UNIQUE REFERENCES video(id) ON DELETE CASCADE,
      thumbnail_url VARCHAR(2000),
      preview_url VARCHAR(2000),
      tracker_urls VARCHAR(2000)[] NOT NULL DEFAULT '{}',
      remote_updated_at TIMESTAMPTZ NOT NULL,
      fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`DROP TABLE IF EXISTS remote_video;`);
}
