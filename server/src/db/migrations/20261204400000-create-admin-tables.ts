import type { MigrationContext } from '../migrator';

/**
 * Administration (issue 14): registration requests (PeerTube 5.1's `user_registration`, the
 * password kept hashed until a moderator accepts), the video blacklist (PeerTube's
 * `video_blacklist`: what the UI calls hiding a video) and the instance's custom config (one row, the
 * settings an administrator changed in the UI, laid over the YAML at boot and on each change).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE user_registration (
      id SERIAL PRIMARY KEY,
      state SMALLINT NOT NULL,
      registration_reason TEXT NOT NULL,
      moderation_response TEXT,
      password VARCHAR(255) NOT NULL,
      username VARCHAR(50) NOT NULL,
      email VARCHAR(400) NOT NULL,
      email_verified BOOLEAN NOT NULL DEFAULT false,
      account_display_name VARCHAR(120) NOT NULL,
      channel_handle VARCHAR(50),
      channel_display_name VARCHAR(120),
      user_id INTEGER REFERENCES "user"(id) ON DELETE SET NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX user_registration_username ON user_registration (lower(username));
    CREATE UNIQUE INDEX user_registration_email ON user_registration (lower(email));
    CREATE UNIQUE INDEX user_registration_channel_handle ON user_registration (lower(channel_handle));

    CREATE TABLE video_blacklist (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL UNIQUE REFERENCES video(id) ON DELETE CASCADE,
      reason VARCHAR(300),
      unfederated BOOLEAN NOT NULL DEFAULT false,
      type SMALLINT NOT NULL DEFAULT 1,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE custom_config (
      id SMALLINT PRIMARY KEY CHECK (id = 1),
      value JSONB NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS custom_config, video_blacklist, user_registration');
}
