import type { MigrationContext } from '../migrator';

/**
 * Federation: follows between actors (local or remote, PeerTube's actorFollow) and the delivery
 * health of each remote host (consecutive failures, unreachable flag, last success/failure).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE actor_follow (
      id SERIAL PRIMARY KEY,
      actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
      target_actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
      state VARCHAR(20) NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
      url VARCHAR(2000) NOT NULL,
      score DOUBLE PRECISION NOT NULL DEFAULT 20,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (actor_id, target_actor_id)
    );
    CREATE INDEX actor_follow_target ON actor_follow (target_actor_id, state);

    CREATE TABLE federation_host (
      id SERIAL PRIMARY KEY,
      host VARCHAR(255) NOT NULL UNIQUE,
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      failing_since TIMESTAMPTZ,
      unreachable BOOLEAN NOT NULL DEFAULT false,
      delivered INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      last_success_at TIMESTAMPTZ,
      last_failure_at TIMESTAMPTZ,
      last_error VARCHAR(500),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`DROP TABLE IF EXISTS federation_host, actor_follow CASCADE;`);
}
