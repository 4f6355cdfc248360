import type { MigrationContext } from '../migrator';

/**
 * Videos, their files (web videos and HLS renditions), thumbnails, the original upload, ratings,
 * daily view counters (trending) and resumable upload sessions (kept here so that an upload
 * survives a server restart).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    -- array_to_string is only STABLE; tags joined by a space never depend on settings, so this is immutable
    -- and may feed the generated search column.
    CREATE FUNCTION video_tags_text(tags VARCHAR[]) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_to_string(tags, ' ') $$;

    CREATE TABLE video (
      id SERIAL PRIMARY KEY,
      uuid UUID NOT NULL UNIQUE,
      name VARCHAR(120) NOT NULL,
      description TEXT,
      support VARCHAR(1000),
      duration INTEGER NOT NULL DEFAULT 0,
      aspect_ratio REAL,
      state SMALLINT NOT NULL,
      privacy SMALLINT NOT NULL,
      category INTEGER,
      licence INTEGER,
      language VARCHAR(10),
      tags VARCHAR(30)[] NOT NULL DEFAULT '{}',
      nsfw BOOLEAN NOT NULL DEFAULT false,
      comments_policy SMALLINT NOT NULL DEFAULT 1,
      download_enabled BOOLEAN NOT NULL DEFAULT true,
      wait_transcoding BOOLEAN NOT NULL DEFAULT false,
      published_at TIMESTAMPTZ,
      originally_published_at TIMESTAMPTZ,
      input_file_updated_at TIMESTAMPTZ,
      views INTEGER NOT NULL DEFAULT 0,
      likes INTEGER NOT NULL DEFAULT 0,
      dislikes INTEGER NOT NULL DEFAULT 0,
      is_live BOOLEAN NOT NULL DEFAULT false,
      remote BOOLEAN NOT NULL DEFAULT false,
      url VARCHAR(2000) NOT NULL UNIQUE,
      channel_id INTEGER NOT NULL REFERENCES video_channel(id) ON DELETE CASCADE,
      search_vector TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig, video_tags_text(tags)), 'B') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')
      ) STORED,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX video_channel_id ON video (channel_id);
    CREATE INDEX video_published_at ON video (published_at DESC);
    CREATE INDEX video_tags ON video USING GIN (tags);
    CREATE INDEX video_search ON video USING GIN (search_vector);

    CREATE TABLE video_streaming_playlist (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      type SMALLINT NOT NULL DEFAULT 1,
      playlist_filename VARCHAR(255) NOT NULL,
      playlist_url VARCHAR(2000),
      segments_sha256_filename VARCHAR(255) NOT NULL,
      segments_sha256_url VARCHAR(2000),
      p2p_media_loader_info_hashes VARCHAR(255)[] NOT NULL DEFAULT '{}',
      p2p_media_loader_peer_version INTEGER NOT NULL DEFAULT 1,
      storage SMALLINT NOT NULL DEFAULT 0,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (video_id, type)
    );

    CREATE TABLE video_file (
      id SERIAL PRIMARY KEY,
      video_id INTEGER REFERENCES video(id) ON DELETE CASCADE,
      video_streaming_playlist_id INTEGER REFERENCES video_streaming_playlist(id) ON DELETE CASCADE,
      resolution INTEGER NOT NULL,
      size BIGINT NOT NULL,
      fps REAL NOT NULL DEFAULT -1,
      width INTEGER,
      height INTEGER,
      extname VARCHAR(10) NOT NULL,
      filename VARCHAR(255) NOT NULL UNIQUE,
      file_url VARCHAR(2000),
      info_hash VARCHAR(40),
      torrent_filename VARCHAR(255) UNIQUE,
      storage SMALLINT NOT NULL DEFAULT 0,
      has_audio BOOLEAN NOT NULL DEFAULT true,
      has_video BOOLEAN NOT NULL DEFAULT true,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      -- A file is a web video of one video, or a rendition of one streaming playlist, never both.
      CHECK ((video_id IS NULL) <> (video_streaming_playlist_id IS NULL))
    );
    CREATE INDEX video_file_video ON video_file (video_id);
    CREATE INDEX video_file_playlist ON video_file (video_streaming_playlist_id);

    CREATE TABLE thumbnail (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      type SMALLINT NOT NULL, -- 1 miniature, 2 preview
      filename VARCHAR(255) NOT NULL UNIQUE,
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (video_id, type)
    );

    CREATE TABLE video_source (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL UNIQUE REFERENCES video(id) ON DELETE CASCADE,
      input_filename VARCHAR(1000) NOT NULL,
      size BIGINT NOT NULL,
      resolution INTEGER,
      width INTEGER,
      height INTEGER,
      fps REAL,
      duration REAL,
      format_name VARCHAR(255),
      video_codec VARCHAR(50),
      audio_codec VARCHAR(50),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE account_video_rate (
      id SERIAL PRIMARY KEY,
      account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      type VARCHAR(10) NOT NULL CHECK (type IN ('like', 'dislike')),
      url VARCHAR(2000),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (account_id, video_id)
    );
    CREATE INDEX account_video_rate_video ON account_video_rate (video_id);

    -- Views per video and day, for the trending sort.
    CREATE TABLE video_views_daily (
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      day DATE NOT NULL,
      views INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (video_id, day)
    );

    CREATE TABLE upload_session (
      id VARCHAR(64) PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      channel_id INTEGER NOT NULL REFERENCES video_channel(id) ON DELETE CASCADE,
      filename VARCHAR(1000) NOT NULL,
      mime_type VARCHAR(255),
      size BIGINT NOT NULL,
      metadata JSONB NOT NULL,
      thumbnail_path VARCHAR(2000),
      preview_path VARCHAR(2000),
      video_id INTEGER REFERENCES video(id) ON DELETE SET NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX upload_session_expires ON upload_session (expires_at);
    CREATE INDEX upload_session_user ON upload_session (user_id);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE IF EXISTS upload_session, video_views_daily, account_video_rate, video_source, thumbnail,
      video_file, video_streaming_playlist, video CASCADE;
    DROP FUNCTION IF EXISTS video_tags_text(VARCHAR[]);
  `);
}
