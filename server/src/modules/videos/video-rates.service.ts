import { Injectable } from '@nestjs/common';
import { EventBus } from '../../platform/events/event-bus.service';
import { VideoRepository } from './video.repository';

export type Rating = 'like' | 'dislike' | 'none';

/** Likes and dislikes: one row per account and video, counters on the video kept in the same transaction. */
@Injectable()
export class VideoRatesService {
  constructor(
    private readonly repo: VideoRepository,
    private readonly events: EventBus,
  ) {}

  /** Sets the rating; `video.rated` tells federation (a local account's rating of a remote video goes to its origin). */
  async rate(videoId: number, accountId: number, rating: Rating, activityUrl: string | null = null): Promise<void> {
    const previous = await this.repo.ratingOf(videoId, accountId);
    await this.repo.setRating(videoId, accountId, rating, activityUrl);
    if (previous !== rating) this.events.emit('video.rated', { videoId, accountId, rating, previous });
  }

  /** A page of the video's likes or dislikes (its ActivityPub collections), newest first. */
  raters(videoId: number, rating: 'like' | 'dislike', start: number, count: number): Promise<{ total: number; rows: Array<{ accountId: number; url: string | null }> }> {
    return this.repo.raters(videoId, rating, start, count);
  }

  /** A remote video's likes/dislikes as its origin counts them. */
  setRemoteCounts(videoId: number, counts: { likes?: number; dislikes?: number }): Promise<void> {
    return this.repo.setRemoteRateCounts(videoId, counts);
  }

  ratingOf(videoId: number, accountId: number): Promise<Rating> {
    return this.repo.ratingOf(videoId, accountId);
  }
}
