import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { paginationQuery, text, videoListQuery, type ResultList, type Video, type VideoChannel, type VideoListQuery } from '@flotilla/shared';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { SubscriptionsService } from './subscriptions.service';

/** `name` (a local channel) or `name@host`, as PeerTube's subscription URIs. */
const HANDLE = /^@?[A-Za-z0-9\-_.:]{1,255}(@[a-z0-9.-]+(:\d{1,5})?)?$/i;
const handle = () => text().max(300).regex(HANDLE, 'a channel handle: name or name@host');

const subscribeBody = z.object({ uri: handle() });
const handleParam = z.object({ subscriptionHandle: handle() });
const listQuery = paginationQuery.extend({ sort: z.enum(['createdAt', '-createdAt']).optional() });
const existQuery = z.object({
  // ?uris=a&uris=b (an array) or ?uris=a (one string), as PeerTube's client sends them.
  uris: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(handle()).min(1).max(50)),
});

/** PeerTube's `/api/v1/users/me/subscriptions`. */
@Controller('api/v1/users/me/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @Authenticated()
  list(@Auth() auth: AuthContext, @Query(zod(listQuery)) q: z.infer<typeof listQuery>): Promise<ResultList<VideoChannel>> {
    return this.subscriptions.list(auth.user, q);
  }

  @Post()
  @HttpCode(204)
  @Authenticated()
  async subscribe(@Auth() auth: AuthContext, @Body(zod(subscribeBody)) b: z.infer<typeof subscribeBody>): Promise<void> {
    await this.subscriptions.subscribe(auth.user, b.uri);
  }

  // Before `:subscriptionHandle`: these two paths would match it.
  @Get('exist')
  @Authenticated()
  exist(@Auth() auth: AuthContext, @Query(zod(existQuery)) q: z.infer<typeof existQuery>): Promise<Record<string, boolean>> {
    return this.subscriptions.exist(auth.user, q.uris);
  }

  @Get('videos')
  @Authenticated()
  videos(@Auth() auth: AuthContext, @Query(zod(videoListQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    return this.subscriptions.subscriptionVideos(auth.user, q);
  }

  @Get(':subscriptionHandle')
  @Authenticated()
  get(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: z.infer<typeof handleParam>): Promise<VideoChannel> {
    return this.subscriptions.get(auth.user, p.subscriptionHandle);
  }

  @Delete(':subscriptionHandle')
  @HttpCode(204)
  @Authenticated()
  async unsubscribe(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: z.infer<typeof handleParam>): Promise<void> {
    await this.subscriptions.unsubscribe(auth.user, p.subscriptionHandle);
  }
}
