import type { MigrationContext } from '../migrator';

/**
 * A moderator's notification of a sign-up request (PeerTube's NEW_USER_REGISTRATION_REQUEST) points
 * at the request, and goes with it when the request is deleted, as PeerTube's does.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE user_notification ADD COLUMN registration_id INTEGER REFERENCES user_registration(id) ON DELETE CASCADE;
    CREATE INDEX user_notification_registration ON user_notification (registration_id) WHERE registration_id IS NOT NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX IF EXISTS user_notification_registration; ALTER TABLE user_notification DROP COLUMN IF EXISTS registration_id');
}
