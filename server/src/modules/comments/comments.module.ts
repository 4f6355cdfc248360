import { Module } from '@nestjs/common';
import { VideosModule } from '../videos/videos.module';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentsService } from './comments.service';

/** Video comments (PeerTube's threads, replies, policy and approval); federation uses CommentsService. */
@Module({
  imports: [VideosModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentsRepository],
  exports: [CommentsService],
})
export class CommentsModule {}
