import type { MigrationContext } from '../migrator';

/**
 * The `updated` date of the newest profile stored for a remote actor (from its document or its own
 * Update): an Update{Person|Group} delivered late (a retry after a newer one) that is older than
 * it changes nothing.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE actor ADD COLUMN remote_updated_at TIMESTAMPTZ');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE actor DROP COLUMN IF EXISTS remote_updated_at');
}
