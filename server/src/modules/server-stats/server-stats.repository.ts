import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SEQUELIZE } from '../../common/tokens';

export interface StatsRow {
  users: string;
  users_day: string;
  users_week: string;
  users_month: string;
  local_videos: string;
  local_views: string;
  local_bytes: string;
  local_channels: string;
  channels_day: string;
  channels_week: string;
  channels_month: string;
}

/**
 * The instance's figures in one read-only aggregate over the tables of users, videos, files and
 * channels (the same kind of read NodeInfo does); nothing here writes.
 */
@Injectable()
export class ServerStatsRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  async figures(): Promise<StatsRow> {
    const active = (days: number) => `(SELECT count(*) FROM "user" WHERE last_login_date > now() - interval '${days} days')`;
    const channelsActive = (days: number) =>
      `(SELECT count(DISTINCT v.channel_id) FROM video v JOIN video_channel c ON c.id = v.channel_id JOIN actor a ON a.id = c.actor_id
         WHERE a.server_id IS NULL AND v.published_at > now() - interval '${days} days')`;
    const [row] = await this.sequelize.query<StatsRow>(
      `SELECT
         (SELECT count(*) FROM "user") AS users,
         ${active(1)} AS users_day, ${active(7)} AS users_week, ${active(30)} AS users_month,
         (SELECT count(*) FROM video WHERE NOT remote) AS local_videos,
         (SELECT coalesce(sum(views), 0) FROM video WHERE NOT remote) AS local_views,
         (SELECT coalesce(sum(f.size), 0) FROM video_file f JOIN video_streaming_playlist p ON p.id = f.video_streaming_playlist_id JOIN video v ON v.id = p.video_id WHERE NOT v.remote)
           + (SELECT coalesce(sum(f.size), 0) FROM video_file f JOIN video v ON v.id = f.video_id WHERE NOT v.remote) AS local_bytes,
         (SELECT count(*) FROM video_channel c JOIN actor a ON a.id = c.actor_id WHERE a.server_id IS NULL) AS local_channels,
         ${channelsActive(1)} AS channels_day, ${channelsActive(7)} AS channels_week, ${channelsActive(30)} AS channels_month`,
      { type: QueryTypes.SELECT },
    );
    return row;
  }
}
