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
  async rate(videoId: number, accountId: number, rating: Rating): Promise<void> {
    const previous = await this.repo.ratingOf(videoId, accountId);
    await this.repo.setRating(videoId, accountId, rating);
    if (previous !== rating) this.events.emit('video.rated', { videoId, accountId, rating, previous });
  }

  ratingOf(videoId: number, accountId: number): Promise<Rating> {
    return this.repo.ratingOf(videoId, accountId);
  }
}
