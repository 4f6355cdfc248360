import { Injectable } from '@nestjs/common';
import type { VideoListQuery, VideosOverview } from '@flotilla/shared';
import type { AuthUser } from '../users/users.types';
import { VideoRepository } from './video.repository';
import { VideosService } from './videos.service';

/**
 * PeerTube's OVERVIEWS.VIDEOS: up to 20 sampled values of each kind, one of each per page, 12
 * videos per group. PeerTube samples values shared by 6 videos; Flotilla takes any value a public
 * video has, so that a young instance's Discover page is not empty.
 */
const SAMPLES_COUNT = 20;
const SAMPLE_THRESHOLD = 1;
const VIDEOS_PER_GROUP = 12;
/** Samples are kept an hour (PeerTube's MEMOIZE_TTL.OVERVIEWS_SAMPLE) so pages stay consistent. */
const SAMPLES_TTL_MS = 60 * 60_000;

@Injectable()
export class VideoOverviewsService {
  private samples: { value: Promise<{ categories: number[]; channelIds: number[]; tags: string[] }>; until: number } | null = null;

  constructor(
    private readonly repo: VideoRepository,
    private readonly videos: VideosService,
  ) {}

  private sampled() {
    if (!this.samples || this.samples.until < Date.now()) {
      const value = this.repo.overviewSamples(SAMPLE_THRESHOLD, SAMPLES_COUNT);
      this.samples = { value, until: Date.now() + SAMPLES_TTL_MS };
      // A failed query is not kept: the next request tries again.
      value.catch(() => (this.samples = null));
    }
    return this.samples.value;
  }

  async overview(page: number, user: AuthUser | undefined): Promise<VideosOverview> {
    const { categories, channelIds, tags } = await this.sampled();
    const index = page - 1;
    const list = async (filter: Partial<VideoListQuery>, channelId?: number) =>
      (await this.videos.list({ start: 0, count: VIDEOS_PER_GROUP, sort: '-createdAt', skipCount: true, ...filter } as VideoListQuery, { user, channelId })).data;
    const result: VideosOverview = { categories: [], channels: [], tags: [] };
    await Promise.all([
      (async () => {
        if (index >= categories.length) return;
        const videos = await list({ categoryOneOf: [categories[index]] });
        if (videos.length) result.categories.push({ category: videos[0].category, videos });
      })(),
      (async () => {
        if (index >= channelIds.length) return;
        const videos = await list({}, channelIds[index]);
        if (videos.length) result.channels.push({ channel: videos[0].channel, videos });
      })(),
      (async () => {
        if (index >= tags.length) return;
        const videos = await list({ tagsOneOf: [tags[index]] });
        if (videos.length) result.tags.push({ tag: tags[index], videos });
      })(),
    ]);
    return result;
  }
}
