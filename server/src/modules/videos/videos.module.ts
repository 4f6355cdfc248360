import { Module } from '@nestjs/common';
import { OEmbedController } from './oembed.controller';
import { ResumableUploadsService } from './resumable-uploads.service';
import { StaticFilesController } from './static-files.controller';
import { StaticFilesService } from './static-files.service';
import { UploadsController } from './uploads.controller';
import { VideoFileTokensService } from './video-file-tokens.service';
import { VideoFormatterService } from './video-formatter.service';
import { VideoIngestService } from './video-ingest.service';
import { VideoListsController } from './video-lists.controller';
import { VideoRatesService } from './video-rates.service';
import { VideoUpdateService } from './video-update.service';
import { VideoViewsService } from './video-views.service';
import { VideosController } from './videos.controller';
import { VideosJobs } from './videos.jobs';
import { VideoListParts } from './video-list-parts.service';
import { VideoRepository } from './video.repository';
import { VideosService } from './videos.service';
import { OverviewsController } from './overviews.controller';
import { RemoteTrackersService } from './remote-trackers.service';
import { VideoOverviewsService } from './video-overviews.service';

/**
 * Videos: uploads (resumable and legacy), probing, thumbnails, the PeerTube-shaped API, views,
 * rates and static files. Exports VideosService (load with files, publish, markTranscodingFailed)
 * for the transcoding module.
 */
@Module({
  // The upload controller comes first: its routes must win over PUT/DELETE /videos/:id.
  controllers: [UploadsController, VideosController, VideoListsController, StaticFilesController, OEmbedController, OverviewsController],
  providers: [
    VideoOverviewsService,
    VideosService,
    VideoRepository,
    VideoListParts,
    VideoFormatterService,
    VideoIngestService,
    VideoUpdateService,
    ResumableUploadsService,
    VideoViewsService,
    VideoRatesService,
    VideoFileTokensService,
    StaticFilesService,
    VideosJobs,
    RemoteTrackersService,
  ],
  exports: [VideosService, VideoFormatterService, VideoRatesService, VideoViewsService, StaticFilesService, RemoteTrackersService],
})
export class VideosModule {}
