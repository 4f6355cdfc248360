import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module';
import { VideosModule } from '../videos/videos.module';
import { FeedsController } from './feeds.controller';
import { FeedsService } from './feeds.service';

/** RSS / Atom / JSON Feed of videos, subscriptions and comments, and channels' podcast feeds. */
@Module({
  imports: [VideosModule, CommentsModule],
  controllers: [FeedsController],
  providers: [FeedsService],
})
export class FeedsModule {}
