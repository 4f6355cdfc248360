import { Module } from '@nestjs/common';
import { ServerConfigModule } from '../server-config/server-config.module';
import { VideosModule } from '../videos/videos.module';
import { FederationModule } from '../federation/federation.module';
import { ActorJsonService } from './actor-json.service';
import { ActorsController } from './actors.controller';
import { DiscoveryController } from './discovery.controller';

/** ActivityPub read side: actors, their collections, WebFinger, NodeInfo, host-meta. */
@Module({
  imports: [ServerConfigModule, VideosModule, FederationModule],
  controllers: [ActorsController, DiscoveryController],
  providers: [ActorJsonService],
  exports: [ActorJsonService],
})
export class ActivityPubModule {}
