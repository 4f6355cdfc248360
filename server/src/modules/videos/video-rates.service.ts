import { Injectable } from '@nestjs/common';
import { VideoRepository } from './video.repository';

export type Rating = 'like' | 'dislike' | 'none';

/** Likes and dislikes: one row per account and video, counters on the video kept in the same transaction. */
@Injectable()
export class VideoRatesService {
  constructor(private readonly repo: VideoRepository) {}

  rate(videoId: number, accountId: number, rating: Rating): Promise<void> {
    return this.repo.setRating(videoId, accountId, rating);
  }

  ratingOf(videoId: number, accountId: number): Promise<Rating> {
    return this.repo.ratingOf(videoId, accountId);
  }
}
