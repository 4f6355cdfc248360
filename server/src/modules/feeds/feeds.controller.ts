import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  commentsFeedQuery,
  feedFormatParam,
  podcastFeedQuery,
  subscriptionsFeedQuery,
  videosFeedQuery,
  type CommentsFeedQuery,
  type PodcastFeedQuery,
  type SubscriptionsFeedQuery,
  type VideosFeedQuery,
} from '@flotilla/shared';
import type { z } from 'zod';
import { zod } from '../../common/zod.pipe';
import { FeedsService, type RenderedFeed } from './feeds.service';

type FormatParam = z.infer<typeof feedFormatParam>;

/** PeerTube's /feeds routes (outside /api: feed readers fetch them as they are). */
@Controller('feeds')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  private send(res: Response, feed: RenderedFeed): void {
    // Feed readers poll: let caches keep a feed for a few minutes (PeerTube caches them too).
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type(feed.contentType).send(feed.body);
  }

  @Get('podcast/videos.xml')
  async podcast(@Query(zod(podcastFeedQuery)) q: PodcastFeedQuery, @Res() res: Response): Promise<void> {
    this.send(res, await this.feeds.podcast(q));
  }

  @Get('videos.:format')
  async videos(@Param(zod(feedFormatParam)) p: FormatParam, @Query(zod(videosFeedQuery)) q: VideosFeedQuery, @Res() res: Response): Promise<void> {
    this.send(res, await this.feeds.videosFeed(p.format, q));
  }

  @Get('subscriptions.:format')
  async subscriptions(@Param(zod(feedFormatParam)) p: FormatParam, @Query(zod(subscriptionsFeedQuery)) q: SubscriptionsFeedQuery, @Res() res: Response): Promise<void> {
    this.send(res, await this.feeds.subscriptionsFeed(p.format, q));
  }

  @Get('video-comments.:format')
  async comments(@Param(zod(feedFormatParam)) p: FormatParam, @Query(zod(commentsFeedQuery)) q: CommentsFeedQuery, @Res() res: Response): Promise<void> {
    this.send(res, await this.feeds.commentsFeed(p.format, q));
  }
}
