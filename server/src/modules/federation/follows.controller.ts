import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { paginationQuery, text } from '@flotilla/shared';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { DeliveryService } from './delivery.service';
import { FollowsService } from './follows.service';

const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/i;
const HANDLE = /^@?[A-Za-z0-9\-_.:]{1,255}@[a-z0-9.-]+(:\d{1,5})?$/i;

const listQuery = paginationQuery.extend({
  state: z.enum(['pending', 'accepted']).optional(),
  actorType: z.enum(['Person', 'Application', 'Group']).optional(),
});
const followBody = z
  .object({
    hosts: z.array(text().max(300).regex(HOST, 'a host name (with an optional port)')).max(100).optional(),
    handles: z.array(text().max(300).regex(HANDLE, 'a handle name@host')).max(100).optional(),
  })
  .refine((b) => (b.hosts?.length ?? 0) + (b.handles?.length ?? 0) > 0, 'hosts or handles must name at least one actor');
const hostOrHandle = z.object({ hostOrHandle: text().max(300).refine((v) => HOST.test(v) || HANDLE.test(v), 'a host or a handle') });
const nameWithHost = z.object({ nameWithHost: text().max(300).regex(HANDLE, 'a handle name@host') });

/** PeerTube's instance-follows admin API (`/api/v1/server/following`, `/followers`). */
@Controller('api/v1/server')
export class FollowsController {
  constructor(
    private readonly follows: FollowsService,
    private readonly delivery: DeliveryService,
  ) {}

  @Get('following')
  following(@Query(zod(listQuery)) q: z.infer<typeof listQuery>) {
    return this.follows.list('follower', { start: q.start, count: q.count, sort: q.sort ?? '-createdAt', state: q.state });
  }

  @Get('followers')
  followers(@Query(zod(listQuery)) q: z.infer<typeof listQuery>) {
    return this.follows.list('following', { start: q.start, count: q.count, sort: q.sort ?? '-createdAt', state: q.state });
  }

  @Post('following')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVER)
  async follow(@Body(zod(followBody)) b: z.infer<typeof followBody>): Promise<void> {
    await this.follows.follow([...(b.hosts ?? []), ...(b.handles ?? [])]);
  }

  @Delete('following/:hostOrHandle')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVER)
  async unfollow(@Param(zod(hostOrHandle)) p: z.infer<typeof hostOrHandle>): Promise<void> {
    await this.follows.unfollow(p.hostOrHandle);
  }

  @Post('followers/:nameWithHost/accept')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVER)
  async accept(@Param(zod(nameWithHost)) p: z.infer<typeof nameWithHost>): Promise<void> {
    await this.follows.acceptFollower(p.nameWithHost);
  }

  @Post('followers/:nameWithHost/reject')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVER)
  async reject(@Param(zod(nameWithHost)) p: z.infer<typeof nameWithHost>): Promise<void> {
    await this.follows.rejectFollower(p.nameWithHost, true);
  }

  @Delete('followers/:nameWithHost')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVER)
  async remove(@Param(zod(nameWithHost)) p: z.infer<typeof nameWithHost>): Promise<void> {
    await this.follows.rejectFollower(p.nameWithHost, false);
  }

  /** Delivery health per remote host (Flotilla's addition: pending work is in the job list). */
  @Get('federation/hosts')
  @Authenticated(UserRight.MANAGE_SERVER)
  hosts() {
    return this.delivery.hostsStatus();
  }
}
