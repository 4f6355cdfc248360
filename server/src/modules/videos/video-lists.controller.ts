import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  videoListQuery,
  type ResultList,
  type Video,
  type VideoListQuery,
  type VideoQuotaUsed,
  type VideoRating,
  text,
} from '@flotilla/shared';
import { z } from 'zod';
import { handleParam, nameParam } from '../../common/params';
import { zod } from '../../common/zod.pipe';
import { ChannelsService } from '../channels/channels.service';
import { Auth, Authenticated, OptionalAuth } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { AccountsService } from '../users/accounts.service';
import { VideoRatesService } from './video-rates.service';
import { VideosService } from './videos.service';

type HandleParam = z.infer<typeof handleParam>;
type NameParam = z.infer<typeof nameParam>;
const videoIdParam = z.object({ videoId: text().min(1).max(64) });

/** The other lists of videos: per account, per channel, mine; quota and my ratings (search: the search module). */
@Controller('api/v1')
export class VideoListsController {
  constructor(
    private readonly videos: VideosService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly rates: VideoRatesService,
  ) {}

  @Get('accounts/:name/videos')
  @OptionalAuth()
  async accountVideos(@Auth() auth: AuthContext | undefined, @Param(zod(nameParam)) p: NameParam, @Query(zod(videoListQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    const account = await this.accounts.findByHandle(p.name);
    return this.videos.list(q, { user: auth?.user, accountId: account.id });
  }

  @Get('video-channels/:handle/videos')
  @OptionalAuth()
  async channelVideos(@Auth() auth: AuthContext | undefined, @Param(zod(handleParam)) p: HandleParam, @Query(zod(videoListQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    const channel = await this.channels.findByHandle(p.handle);
    return this.videos.list(q, { user: auth?.user, channelId: channel.id });
  }

  @Get('users/me/videos')
  @Authenticated()
  myVideos(@Auth() auth: AuthContext, @Query(zod(videoListQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    return this.videos.list({ ...q, sort: q.sort ?? '-createdAt' }, { user: auth.user, ownerUserId: auth.user.id });
  }

  @Get('users/me/video-quota-used')
  @Authenticated()
  quota(@Auth() auth: AuthContext): Promise<VideoQuotaUsed> {
    return this.videos.quotaUsed(auth.user.id);
  }

  @Get('users/me/videos/:videoId/rating')
  @Authenticated()
  async myRating(@Auth() auth: AuthContext, @Param(zod(videoIdParam)) p: z.infer<typeof videoIdParam>): Promise<VideoRating> {
    const video = await this.videos.loadVisible(p.videoId, auth.user);
    const account = await this.accounts.accountOfUser(auth.user.id);
    return { id: video.id, rating: await this.rates.ratingOf(video.id, account.id) };
  }
}
