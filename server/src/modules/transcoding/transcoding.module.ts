import { Module } from '@nestjs/common';
import { RunnersModule } from '../runners/runners.module';
import { VideosModule } from '../videos/videos.module';
import { EmbeddedRunnerService } from './embedded-runner.service';
import { TranscodingJobsService } from './transcoding-jobs.service';
import { VodResultsService } from './vod-results.service';

/**
 * What a video needs made (runner jobs per rung), what a finished job means for the video (HLS
 * folder, master playlist, hashes, publication), and the embedded runner for single machines.
 */
@Module({
  imports: [RunnersModule, VideosModule],
  providers: [TranscodingJobsService, VodResultsService, EmbeddedRunnerService],
})
export class TranscodingModule {}
