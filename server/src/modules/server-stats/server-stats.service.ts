import { Injectable } from '@nestjs/common';
import type { ServerStats } from '@flotilla/shared';
import { ServerStatsRepository } from './server-stats.repository';

/** PeerTube's `/api/v1/server/stats`: the figures Flotilla keeps; federation counters are 0 until it keeps them. */
@Injectable()
export class ServerStatsService {
  private cached: { at: number; stats: ServerStats } | null = null;

  constructor(private readonly repo: ServerStatsRepository) {}

  async stats(): Promise<ServerStats> {
    // Public and cheap to ask for: one aggregate a minute at most (PeerTube caches it too).
    if (this.cached && Date.now() - this.cached.at < 60_000) return this.cached.stats;
    const r = await this.repo.figures();
    const n = (v: string) => Number(v);
    const stats: ServerStats = {
      totalUsers: n(r.users),
      totalDailyActiveUsers: n(r.users_day),
      totalWeeklyActiveUsers: n(r.users_week),
      totalMonthlyActiveUsers: n(r.users_month),
      totalLocalVideos: n(r.local_videos),
      totalLocalVideoViews: n(r.local_views),
      totalLocalVideoComments: 0,
      totalLocalVideoFilesSize: n(r.local_bytes),
      totalVideos: n(r.local_videos),
      totalVideoComments: 0,
      totalLocalVideoChannels: n(r.local_channels),
      totalLocalDailyActiveVideoChannels: n(r.channels_day),
      totalLocalWeeklyActiveVideoChannels: n(r.channels_week),
      totalLocalMonthlyActiveVideoChannels: n(r.channels_month),
      totalLocalPlaylists: 0,
      totalInstanceFollowers: 0,
      totalInstanceFollowing: 0,
      videosRedundancy: [],
      totalActivityPubMessagesProcessed: 0,
      totalActivityPubMessagesSuccesses: 0,
      totalActivityPubMessagesErrors: 0,
      activityPubMessagesProcessedPerSecond: 0,
      totalActivityPubMessagesWaiting: 0,
    };
    this.cached = { at: Date.now(), stats };
    return stats;
  }
}
