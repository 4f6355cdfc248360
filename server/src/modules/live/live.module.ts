import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { RunnersModule } from '../runners/runners.module';
import { VideosModule } from '../videos/videos.module';
import { LiveController } from './live.controller';
import { LlHlsController } from './ll-hls.controller';
import { LlHlsSessionsService } from './ll-hls-sessions.service';
import { LiveRepository } from './live.repository';
import { LiveChunksService } from './live-chunks.service';
import { LiveNotifierService } from './live-notifier.service';
import { LiveReplayService } from './live-replay.service';
import { LiveSessionsService } from './live-sessions.service';
import { LiveService } from './live.service';
import { RtmpIngestService } from './rtmp-ingest.service';

/**
 * Lives: PeerTube's live API, the RTMP ingest, sessions run as `live-rtmp-hls-transcoding` runner
 * jobs (low-latency lives: packaged here as LL-HLS), their files through media-files, state and
 * viewers on `/live-videos`.
 */
@Module({
  imports: [VideosModule, ChannelsModule, RunnersModule],
  controllers: [LiveController, LlHlsController],
  providers: [LiveService, LiveSessionsService, LiveChunksService, LiveNotifierService, LiveReplayService, LiveRepository, RtmpIngestService, LlHlsSessionsService],
  exports: [LiveService],
})
export class LiveModule {}
