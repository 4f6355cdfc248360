import type { MigrationContext } from '../migrator';

/**
 * Notifications (PeerTube's user_notification) and each user's notification settings. A
 * notification keeps what the page shows (`payload`: the nested video / comment / account / follow
 * objects as they were when it was made), and the ids it is about, so that it goes with them.
 * `comment_id` goes with its comment (the comments migration runs first).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE "user" ADD COLUMN notification_settings JSONB NOT NULL DEFAULT '{}';
    CREATE TABLE user_notification (
      id SERIAL PRIMARY KEY,
      type SMALLINT NOT NULL,
      user_id INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      read BOOLEAN NOT NULL DEFAULT false,
      video_id INTEGER REFERENCES video(id) ON DELETE CASCADE,
      comment_id INTEGER REFERENCES video_comment(id) ON DELETE CASCADE,
      account_id INTEGER REFERENCES account(id) ON DELETE CASCADE,
      actor_follow_id INTEGER REFERENCES actor_follow(id) ON DELETE CASCADE,
      payload JSONB NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX user_notification_user ON user_notification (user_id, id DESC);
    CREATE INDEX user_notification_unread ON user_notification (user_id) WHERE read = false;
    -- For the cascades (a video, account or follow removed takes its notifications with it).
    CREATE INDEX user_notification_video ON user_notification (video_id) WHERE video_id IS NOT NULL;
    CREATE INDEX user_notification_account ON user_notification (account_id) WHERE account_id IS NOT NULL;
    CREATE INDEX user_notification_follow ON user_notification (actor_follow_id) WHERE actor_follow_id IS NOT NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`DROP TABLE IF EXISTS user_notification; ALTER TABLE "user" DROP COLUMN IF EXISTS notification_settings;`);
}
