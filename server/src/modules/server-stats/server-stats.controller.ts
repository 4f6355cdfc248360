import { Controller, Get } from '@nestjs/common';
import type { ServerStats } from '@flotilla/shared';
import { ServerStatsService } from './server-stats.service';

@Controller('api/v1/server/stats')
export class ServerStatsController {
  constructor(private readonly service: ServerStatsService) {}

  @Get()
  stats(): Promise<ServerStats> {
    return this.service.stats();
  }
}
