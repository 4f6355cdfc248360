import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { paginationQuery, text } from '@flotilla/shared';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { ServerBlocklistService } from './server-blocklist.service';

const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/i;
const hostField = text().max(255).regex(HOST, 'a host name (with an optional port)');
const listQuery = paginationQuery.extend({ search: text().max(255).optional() });
const blockBody = z.object({ host: hostField });
const hostParam = z.object({ host: hostField });

/** PeerTube's server block list API (`/api/v1/server/blocklist/servers`). */
@Controller('api/v1/server/blocklist/servers')
export class ServerBlocklistController {
  constructor(private readonly blocklist: ServerBlocklistService) {}

  @Get()
  @Authenticated(UserRight.MANAGE_SERVERS_BLOCKLIST)
  list(@Query(zod(listQuery)) q: z.infer<typeof listQuery>) {
    return this.blocklist.list(q);
  }

  @Post()
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVERS_BLOCKLIST)
  async block(@Body(zod(blockBody)) b: z.infer<typeof blockBody>): Promise<void> {
    await this.blocklist.block(b.host);
  }

  @Delete(':host')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_SERVERS_BLOCKLIST)
  async unblock(@Param(zod(hostParam)) p: z.infer<typeof hostParam>): Promise<void> {
    await this.blocklist.unblock(p.host);
  }
}
