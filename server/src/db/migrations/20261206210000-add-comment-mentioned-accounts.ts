import type { MigrationContext } from '../migrator';

/**
 * The local accounts a comment mentions, kept with the comment: a comment held for review (policy 3)
 * tells them only once it is approved, and by then a remote Note's Mention tags are long gone.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query("ALTER TABLE video_comment ADD COLUMN mentioned_account_ids INTEGER[] NOT NULL DEFAULT '{}'");
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE video_comment DROP COLUMN mentioned_account_ids');
}
