import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { VideoBlacklistModule } from '../video-blacklist/video-blacklist.module';
import { VideosModule } from '../videos/videos.module';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** PeerTube's user notifications: rows, sockets and e-mails from other features' domain events. */
@Module({
  imports: [VideosModule, CommentsModule, VideoBlacklistModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository],
})
export class NotificationsModule {}
