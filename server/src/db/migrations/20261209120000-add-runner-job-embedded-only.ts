import type { MigrationContext } from '../migrator';

/**
 * A job only the embedded runner may list and accept: a live when
 * live.transcoding.remote_runners.enabled is false (PeerTube then transcodes lives on the server
 * itself; Flotilla's "on the server" is its embedded runner).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE runner_job ADD COLUMN embedded_only BOOLEAN NOT NULL DEFAULT false');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE runner_job DROP COLUMN IF EXISTS embedded_only');
}
