import { Module } from '@nestjs/common';
import { VideosModule } from '../videos/videos.module';
import { FeedsController } from './feeds.controller';
import { FeedsService } from './feeds.service';

/** RSS / Atom / JSON Feed of videos and subscriptions, and channels' podcast feeds. */
@Module({
  imports: [VideosModule],
  controllers: [FeedsController],
  providers: [FeedsService],
})
export class FeedsModule {}
