import { Module } from '@nestjs/common';
import { ApClientService } from './ap-client.service';
import { DeliveryService } from './delivery.service';
import { FederationRepository } from './federation.repository';
import { FollowsController } from './follows.controller';
import { FollowsService } from './follows.service';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { RemoteActorsService } from './remote-actors.service';
import { RemoteVideosService } from './remote-videos.service';
import { VideoAudienceService } from './video-audience.service';
import { RemoteVideoTrackersService } from './remote-video-trackers.service';
import { RatesFederationService } from './rates-federation.service';
import { VideoObjectsController } from './video-objects.controller';
import { VideoOutboxService } from './video-outbox.service';
import { VideoCollectionsService } from './video-collections.service';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';
import { VideosModule } from '../videos/videos.module';
import { LiveModule } from '../live/live.module';
import { CommentsModule } from '../comments/comments.module';
import { CommentObjectsController } from './comment-objects.controller';
import { CommentsFederationService } from './comments-federation.service';
import { ActorJsonService } from '../activitypub/actor-json.service';
import { ActorUpdateOutboxService } from './actor-update-outbox.service';
import { RemoteLookupService } from './remote-lookup.service';
import { RemoteProfilesService } from './remote-profiles.service';
import { RemoteRefreshService } from './remote-refresh.service';
import { ServerBlocklistController } from './server-blocklist.controller';
import { ServerBlocklistService } from './server-blocklist.service';

/** ActivityPub in and out: signatures, inboxes, delivery, follows, remote actors. */
@Module({
  imports: [VideosModule, CommentsModule, LiveModule],
  controllers: [InboxController, FollowsController, VideoObjectsController, CommentObjectsController, SubscriptionsController, ServerBlocklistController],
  providers: [
    ApClientService,
    RemoteActorsService,
    DeliveryService,
    FederationRepository,
    FollowsService,
    InboxService,
    VideoOutboxService,
    VideoCollectionsService,
    RemoteVideosService,
    VideoAudienceService,
    RemoteVideoTrackersService,
    RatesFederationService,
    CommentsFederationService,
    SubscriptionsService,
    RemoteProfilesService,
    RemoteRefreshService,
    RemoteLookupService,
    // The actor documents' builder (stateless), for Update{Person|Group}: the activitypub module imports this one.
    ActorJsonService,
    ActorUpdateOutboxService,
    ServerBlocklistService,
  ],
  exports: [FollowsService, RemoteLookupService],
})
export class FederationModule {}
