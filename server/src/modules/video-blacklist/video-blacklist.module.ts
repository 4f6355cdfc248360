import { Module } from '@nestjs/common';
import { VideosModule } from '../videos/videos.module';
import { VideoBlacklistController } from './video-blacklist.controller';
import { VideoBlacklistRepository } from './video-blacklist.repository';
import { VideoBlacklistService } from './video-blacklist.service';

/** Moderators hiding videos (PeerTube's blacklist). */
@Module({
  imports: [VideosModule],
  controllers: [VideoBlacklistController],
  providers: [VideoBlacklistService, VideoBlacklistRepository],
  exports: [VideoBlacklistService],
})
export class VideoBlacklistModule {}
