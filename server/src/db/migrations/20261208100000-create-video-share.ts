import type { MigrationContext } from '../migrator';

/**
 * Shares of videos by remote actors (PeerTube's videoShare): the Announce of a video by another
 * instance or channel, by its activity id, listed in the video's `announces` collection and
 * removed by its Undo.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE video_share (
      id SERIAL PRIMARY KEY,
      actor_id INTEGER NOT NULL REFERENCES actor(id) ON DELETE CASCADE,
      video_id INTEGER NOT NULL REFERENCES video(id) ON DELETE CASCADE,
      url VARCHAR(2000) NOT NULL UNIQUE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (actor_id, video_id)
    );
    CREATE INDEX video_share_video ON video_share (video_id, id);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS video_share');
}
