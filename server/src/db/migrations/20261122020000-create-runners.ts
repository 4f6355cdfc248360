import type { MigrationContext } from '../migrator';

/**
 * Remote runners (PeerTube's runner protocol): registration tokens, registered runners and runner
 * jobs. A runner job is a row with an explicit state machine (PeerTube's RunnerJobState numbers);
 * `video_uuid` + `resolution` exist so that one rung of one video is never queued twice.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE runner_registration_token (
      id SERIAL PRIMARY KEY,
      registration_token VARCHAR(1000) NOT NULL UNIQUE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE runner (
      id SERIAL PRIMARY KEY,
      runner_token VARCHAR(1000) NOT NULL UNIQUE,
      name VARCHAR(100) NOT NULL UNIQUE,
      description VARCHAR(1000),
      version VARCHAR(100),
      ip VARCHAR(100) NOT NULL,
      last_contact TIMESTAMPTZ NOT NULL DEFAULT now(),
      -- Deleting a registration token removes the runners registered with it (PeerTube does the same).
      runner_registration_token_id INTEGER NOT NULL REFERENCES runner_registration_token(id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX runner_registration_token_id ON runner (runner_registration_token_id);

    CREATE TABLE runner_job (
      id SERIAL PRIMARY KEY,
      uuid UUID NOT NULL UNIQUE,
      type VARCHAR(50) NOT NULL,
      payload JSONB NOT NULL,
      private_payload JSONB NOT NULL,
      state SMALLINT NOT NULL CHECK (state BETWEEN 1 AND 9),
      failures INTEGER NOT NULL DEFAULT 0,
      error VARCHAR(5000),
      priority INTEGER NOT NULL,
      processing_job_token VARCHAR(1000) UNIQUE,
      progress INTEGER CHECK (progress BETWEEN 0 AND 100),
      started_at TIMESTAMPTZ,
      finished_at TIMESTAMPTZ,
      depends_on_runner_job_id INTEGER REFERENCES runner_job(id) ON DELETE CASCADE,
      runner_id INTEGER REFERENCES runner(id) ON DELETE SET NULL,
      video_uuid UUID,
      resolution INTEGER,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    -- /jobs/request: pending jobs by priority, then age.
    CREATE INDEX runner_job_pending ON runner_job (priority, id) WHERE state = 1;
    -- The stall watchdog scans processing jobs by their last heartbeat.
    CREATE INDEX runner_job_processing ON runner_job (updated_at) WHERE state = 2;
    CREATE INDEX runner_job_depends_on ON runner_job (depends_on_runner_job_id);
    CREATE INDEX runner_job_runner_id ON runner_job (runner_id);
    CREATE INDEX runner_job_video_uuid ON runner_job (video_uuid);
    -- One live (not finished) job per rung: an upload event delivered twice, or two server
    -- processes deciding at once, cannot encode the same rendition twice.
    -- Finished states: 3 completed, 4 errored, 6 cancelled, 7 parent errored, 8 parent cancelled.
    CREATE UNIQUE INDEX runner_job_one_per_rung ON runner_job (video_uuid, type, resolution)
      WHERE video_uuid IS NOT NULL AND state NOT IN (3, 4, 6, 7, 8);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE IF EXISTS runner_job;
    DROP TABLE IF EXISTS runner;
    DROP TABLE IF EXISTS runner_registration_token;
  `);
}
