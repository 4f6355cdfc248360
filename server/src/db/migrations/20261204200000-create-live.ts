import type { MigrationContext } from '../migrator';

/**
 * Lives (PeerTube's `videoLive` and `videoLiveSession`): one row per live video holding its stream
 * key and settings, one row per broadcast session (start, end, error, replay video).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE video_live (
      id SERIAL PRIMARY KEY,
      video_id INTEGER NOT NULL UNIQUE REFERENCES video(id) ON DELETE CASCADE,
      stream_key VARCHAR(100) NOT NULL UNIQUE,
      save_replay BOOLEAN NOT NULL DEFAULT false,
      permanent_live BOOLEAN NOT NULL DEFAULT false,
      latency_mode SMALLINT NOT NULL DEFAULT 1,
      replay_privacy SMALLINT,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE TABLE video_live_session (
      id SERIAL PRIMARY KEY,
      live_video_id INTEGER REFERENCES video(id) ON DELETE SET NULL,
      replay_video_id INTEGER REFERENCES video(id) ON DELETE SET NULL,
      start_date TIMESTAMPTZ NOT NULL,
      end_date TIMESTAMPTZ,
      error SMALLINT,
      save_replay BOOLEAN NOT NULL DEFAULT false,
      ending_processed BOOLEAN NOT NULL DEFAULT false,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX video_live_session_live_video_id ON video_live_session (live_video_id);
    -- One open session per live: two publishers (or two server processes) cannot both start one.
    CREATE UNIQUE INDEX video_live_session_one_open ON video_live_session (live_video_id) WHERE end_date IS NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS video_live_session; DROP TABLE IF EXISTS video_live;');
}
