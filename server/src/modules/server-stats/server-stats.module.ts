import { Module } from '@nestjs/common';
import { ServerStatsController } from './server-stats.controller';
import { ServerStatsRepository } from './server-stats.repository';
import { ServerStatsService } from './server-stats.service';

/** The instance's figures (PeerTube's /api/v1/server/stats), shown on the about page. */
@Module({ controllers: [ServerStatsController], providers: [ServerStatsService, ServerStatsRepository] })
export class ServerStatsModule {}
