import type { MigrationContext } from '../migrator';

/**
 * Federation-shaped from the first migration: every account and channel is an actor (local or
 * remote), local actors hold their private key, remote ones point at their server.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE server (
      id SERIAL PRIMARY KEY,
      host VARCHAR(255) NOT NULL UNIQUE,
      redundancy_allowed BOOLEAN NOT NULL DEFAULT false,
      blocked BOOLEAN NOT NULL DEFAULT false,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE actor (
      id SERIAL PRIMARY KEY,
      type VARCHAR(20) NOT NULL CHECK (type IN ('Person', 'Group', 'Application', 'Service', 'Organization')),
      preferred_username VARCHAR(255) NOT NULL,
      url VARCHAR(2000) NOT NULL UNIQUE,
      public_key TEXT,
      private_key TEXT,
      followers_count INTEGER NOT NULL DEFAULT 0,
      following_count INTEGER NOT NULL DEFAULT 0,
      inbox_url VARCHAR(2000) NOT NULL,
      outbox_url VARCHAR(2000),
      shared_inbox_url VARCHAR(2000),
      followers_url VARCHAR(2000),
      following_url VARCHAR(2000),
      server_id INTEGER REFERENCES server(id) ON DELETE CASCADE,
      remote_created_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      CHECK (server_id IS NOT NULL OR private_key IS NOT NULL)
    );
    -- Accounts and channels share one namespace of names on an instance (case-insensitive).
    CREATE UNIQUE INDEX actor_local_name ON actor (lower(preferred_username)) WHERE server_id IS NULL;
    CREATE UNIQUE INDEX actor_remote_name ON actor (lower(preferred_username), server_id) WHERE server_id IS NOT NULL;

    CREATE TABLE actor_image (
      id SERIAL PRIMARY KEY,
      actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
      type SMALLINT NOT NULL, -- 1 avatar, 2 banner
      filename VARCHAR(255) NOT NULL,
      file_url VARCHAR(2000),
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      on_disk BOOLEAN NOT NULL DEFAULT true,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX actor_image_actor ON actor_image (actor_id, type);

    CREATE TABLE "user" (
      id SERIAL PRIMARY KEY,
      username VARCHAR(50) NOT NULL,
      email VARCHAR(400) NOT NULL,
      pending_email VARCHAR(400),
      email_verified BOOLEAN NOT NULL DEFAULT false,
      password VARCHAR(255) NOT NULL,
      role SMALLINT NOT NULL CHECK (role IN (0, 1, 2)),
      admin_flags SMALLINT NOT NULL DEFAULT 0,
      video_quota BIGINT NOT NULL,
      video_quota_daily BIGINT NOT NULL,
      nsfw_policy VARCHAR(20) NOT NULL,
      p2p_enabled BOOLEAN NOT NULL DEFAULT true,
      videos_history_enabled BOOLEAN NOT NULL DEFAULT true,
      auto_play_video BOOLEAN NOT NULL DEFAULT true,
      auto_play_next_video BOOLEAN NOT NULL DEFAULT false,
      auto_play_next_video_playlist BOOLEAN NOT NULL DEFAULT true,
      video_languages VARCHAR(10)[],
      theme VARCHAR(50) NOT NULL DEFAULT 'instance-default',
      blocked BOOLEAN NOT NULL DEFAULT false,
      blocked_reason VARCHAR(250),
      plugin_auth VARCHAR(255),
      no_instance_config_warning_modal BOOLEAN NOT NULL DEFAULT false,
      no_account_setup_warning_modal BOOLEAN NOT NULL DEFAULT false,
      no_welcome_modal BOOLEAN NOT NULL DEFAULT false,
      last_login_date TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX user_username ON "user" (lower(username));
    CREATE UNIQUE INDEX user_email ON "user" (lower(email));

    CREATE TABLE account (
      id SERIAL PRIMARY KEY,
      actor_id INTEGER NOT NULL UNIQUE REFERENCES actor(id) ON DELETE CASCADE,
      user_id INTEGER UNIQUE REFERENCES "user"(id) ON DELETE CASCADE,
      name VARCHAR(255) NOT NULL, -- display name
      description VARCHAR(1000),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE video_channel (
      id SERIAL PRIMARY KEY,
      actor_id INTEGER NOT NULL UNIQUE REFERENCES actor(id) ON DELETE CASCADE,
      account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
      name VARCHAR(255) NOT NULL, -- display name
      description VARCHAR(1000),
      support VARCHAR(1000),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX video_channel_account ON video_channel (account_id);

    CREATE TABLE oauth_client (
      id SERIAL PRIMARY KEY,
      client_id VARCHAR(64) NOT NULL UNIQUE,
      client_secret VARCHAR(64) NOT NULL,
      grants VARCHAR(30)[] NOT NULL,
      redirect_uris VARCHAR(2000)[] NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    -- Tokens are stored as SHA-256 digests: a database leak does not hand out sessions.
    CREATE TABLE oauth_token (
      id SERIAL PRIMARY KEY,
      access_token_hash CHAR(64) NOT NULL UNIQUE,
      access_token_expires_at TIMESTAMPTZ NOT NULL,
      refresh_token_hash CHAR(64) NOT NULL UNIQUE,
      refresh_token_expires_at TIMESTAMPTZ NOT NULL,
      oauth_client_id INTEGER NOT NULL REFERENCES oauth_client(id) ON DELETE CASCADE,
      user_id INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX oauth_token_user ON oauth_token (user_id);

    -- Single-row table for instance-wide facts (the instance actor id, first-boot markers).
    CREATE TABLE application (
      id SERIAL PRIMARY KEY,
      migration_version INTEGER NOT NULL DEFAULT 0,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE IF EXISTS application, oauth_token, oauth_client, video_channel, account, "user",
      actor_image, actor, server CASCADE;
  `);
}
