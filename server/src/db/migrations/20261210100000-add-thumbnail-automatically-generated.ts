import type { MigrationContext } from '../migrator';

/**
 * Whether a video's picture was made by the server (a frame, a placeholder) or from an image its
 * owner uploaded (PeerTube's thumbnail.automaticallyGenerated): a permanent live's replay copies the
 * owner's pictures and takes frames of its own otherwise. Rows from before are unknown (null), read
 * as made by the server.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE thumbnail ADD COLUMN automatically_generated BOOLEAN');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE thumbnail DROP COLUMN IF EXISTS automatically_generated');
}
