import type { MigrationContext } from '../migrator';

/** Why transcoding failed, shown to the video's owner (state 7 alone says nothing). */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE video ADD COLUMN transcoding_error VARCHAR(2000)');
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('ALTER TABLE video DROP COLUMN transcoding_error');
}
