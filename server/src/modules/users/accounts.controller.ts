import { Controller, Get, Param, Query } from '@nestjs/common';
import { paginationQuery, type Account, type PaginationQuery, type ResultList, type VideoChannel } from '@flotilla/shared';
import type { z } from 'zod';
import { nameParam } from '../../common/params';
import { zod } from '../../common/zod.pipe';
import { EventBus } from '../../platform/events/event-bus.service';
import { ChannelsService } from '../channels/channels.service';
import { AccountsService } from './accounts.service';

@Controller('api/v1/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly events: EventBus,
  ) {}

  @Get()
  list(@Query(zod(paginationQuery)) q: PaginationQuery): Promise<ResultList<Account>> {
    return this.accounts.list(q.start, q.count, q.sort);
  }

  @Get(':name')
  async get(@Param(zod(nameParam)) p: z.infer<typeof nameParam>): Promise<Account> {
    const account = await this.accounts.findByHandle(p.name);
    // A remote account is refreshed from its origin in the background when stale (federation listens).
    if (!account.Actor!.isLocal()) this.events.emit('actor.remote-used', { actorId: account.actorId });
    return this.accounts.format(account);
  }

  @Get(':name/video-channels')
  async channelsOf(
    @Param(zod(nameParam)) p: z.infer<typeof nameParam>,
    @Query(zod(paginationQuery)) q: PaginationQuery,
  ): Promise<ResultList<VideoChannel>> {
    const account = await this.accounts.findByHandle(p.name);
    return this.channels.list(q.start, q.count, q.sort, account.id);
  }
}
