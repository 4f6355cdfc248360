import type { MigrationContext } from '../migrator';

/**
 * PeerTube's `user.feedToken`: the secret in a subscription feed's URL (feed readers cannot send a
 * bearer token). A UUID per user, renewed by POST /users/me/feed-token.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE "user" ADD COLUMN feed_token UUID NOT NULL DEFAULT gen_random_uuid()');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE "user" DROP COLUMN feed_token');
}
