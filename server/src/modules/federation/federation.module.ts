import { Module } from '@nestjs/common';
import { ApClientService } from './ap-client.service';
import { DeliveryService } from './delivery.service';
import { FederationRepository } from './federation.repository';
import { FollowsController } from './follows.controller';
import { FollowsService } from './follows.service';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { RemoteActorsService } from './remote-actors.service';

/** ActivityPub in and out: signatures, inboxes, delivery, follows, remote actors. */
@Module({
  controllers: [InboxController, FollowsController],
  providers: [ApClientService, RemoteActorsService, DeliveryService, FederationRepository, FollowsService, InboxService],
  exports: [],
})
export class FederationModule {}
