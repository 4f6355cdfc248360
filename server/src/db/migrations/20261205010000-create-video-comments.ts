import type { MigrationContext } from '../migrator';

/**
 * Comments (issue 13): PeerTube's `videoComment`. A thread is a root comment
 * (`origin_comment_id` null); every reply points at its thread's root and at the comment it answers.
 * A deleted comment keeps its row (`deleted_at`, text and author cleared) while replies hang on it:
 * PeerTube shows it as a tombstone and serves a Tombstone at its URL.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE video_comment (
      id SERIAL PRIMARY KEY,
      url VARCHAR(2000) NOT NULL,
      text TEXT NOT NULL,
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      account_id INTEGER REFERENCES account(id) ON DELETE SET NULL,
      origin_comment_id INTEGER REFERENCES video_comment(id) ON DELETE CASCADE,
      in_reply_to_comment_id INTEGER REFERENCES video_comment(id) ON DELETE CASCADE,
      held_for_review BOOLEAN NOT NULL DEFAULT false,
      reply_approval VARCHAR(2000),
      deleted_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX video_comment_url ON video_comment (url);
    CREATE INDEX video_comment_threads ON video_comment (video_id, created_at DESC) WHERE origin_comment_id IS NULL;
    CREATE INDEX video_comment_origin ON video_comment (origin_comment_id) WHERE origin_comment_id IS NOT NULL;
    CREATE INDEX video_comment_account ON video_comment (account_id);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS video_comment');
}
