import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { CoreModule } from './common/core.module';
import type { AppConfig } from './config/config';
import { ActivityPubModule } from './modules/activitypub/activitypub.module';
import { ActorsModule } from './modules/actors/actors.module';
import { AuthModule } from './modules/auth/auth.module';
import { AuthService } from './modules/auth/auth.service';
import { ChannelsModule } from './modules/channels/channels.module';
import { ServerConfigModule } from './modules/server-config/server-config.module';
import { UsersModule } from './modules/users/users.module';
import { VideosModule } from './modules/videos/videos.module';
import { RunnersModule } from './modules/runners/runners.module';
import { TranscodingModule } from './modules/transcoding/transcoding.module';
import { P2PModule } from './modules/p2p/p2p.module';
import { LiveModule } from './modules/live/live.module';
import { VIDEOS_JOBS } from './modules/videos/videos.jobs';
import { PlatformModule } from './platform/platform.module';
import { MediaFilesModule } from './modules/media-files/media-files.module';
import { ApiDocsModule } from './modules/api-docs/api-docs.module';
import { CustomConfigModule } from './modules/custom-config/custom-config.module';
import { RegistrationsModule } from './modules/registrations/registrations.module';
import { ContactModule } from './modules/contact/contact.module';
import { ServerStatsModule } from './modules/server-stats/server-stats.module';
import { VideoBlacklistModule } from './modules/video-blacklist/video-blacklist.module';
import { FederationModule } from './modules/federation/federation.module';
import { FeedsModule } from './modules/feeds/feeds.module';
import { FEDERATION_JOBS } from './modules/federation/federation.jobs';
import { CommentsModule } from './modules/comments/comments.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { NOTIFICATION_JOBS } from './modules/notifications/notifications.jobs';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, sequelize: Sequelize, redis: Redis): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, sequelize, redis),
        // Every feature's queue jobs are listed here, beside the feature's module line.
        PlatformModule.forRoot(config, { jobs: [...Object.values(VIDEOS_JOBS), ...Object.values(FEDERATION_JOBS), ...Object.values(NOTIFICATION_JOBS)], accessTokens: AuthService }),
        MediaFilesModule,
        ActorsModule,
        AuthModule,
        // Before UsersModule and VideosModule: `/users/registrations` and `/videos/blacklist` must not
        // be read as `/users/:id` and `/videos/:id`.
        RegistrationsModule,
        VideoBlacklistModule,
        // Before VideosModule too: `/videos/comments` is not `/videos/:id`.
        CommentsModule,
        UsersModule,
        ChannelsModule,
        ServerConfigModule,
        ContactModule,
        ActivityPubModule,
        VideosModule,
        RunnersModule,
        TranscodingModule,
        P2PModule,
        ApiDocsModule,
        LiveModule,
        CustomConfigModule,
        ServerStatsModule,
        FederationModule,
        NotificationsModule,
        FeedsModule,
        // Feature modules are added here, one line each.
      ],
    };
  }
}
