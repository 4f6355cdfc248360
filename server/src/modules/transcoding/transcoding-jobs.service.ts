import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  RUNNER_PROTOCOL,
  VideoState,
  type RunnerJobPayloadMap,
  type RunnerJobPrivatePayloadMap,
  type VodRunnerJobType,
} from '@flotilla/shared';
import { EventBus } from '../../platform/events/event-bus.service';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobsService } from '../runners/runner-jobs.service';
import { MediaFilesRepository, type VideoFileModel } from '../media-files';
import { VideosService } from '../videos/videos.service';
import { planTranscoding, type PlannedJob } from './transcoding-plan';

/** The web video a runner should start from: the best file with a picture, else the best audio. */
export function bestInputFile<F extends Pick<VideoFileModel, 'id' | 'hasVideo' | 'resolution'>>(files: F[]): F | undefined {
  return [...files].sort((a, b) => Number(b.hasVideo) - Number(a.hasVideo) || b.resolution - a.resolution || a.id - b.id)[0];
}

/**
 * Decides what a new upload needs and queues it as runner jobs (the runners do every encode, the
 * embedded one included). Listens to `video.uploaded`; drops a deleted video's jobs.
 */
@Injectable()
export class TranscodingJobsService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly videos: VideosService,
    private readonly jobs: RunnerJobsService,
    private readonly events: EventBus,
    private readonly files: MediaFilesRepository,
  ) {}

  onModuleInit(): void {
    this.events.on('video.uploaded', async ({ videoId }) => {
      try {
        await this.createJobs(videoId);
      } catch (err) {
        logger.error({ err, videoId }, 'cannot create transcoding jobs');
        await this.videos.markTranscodingFailed(videoId, `Cannot create transcoding jobs: ${(err as Error).message}`);
      }
    });
    this.events.on('video.deleted', ({ uuid }) => this.jobs.deleteForVideo(uuid));
  }

  async createJobs(videoId: number): Promise<number> {
    const video = await this.videos.loadWithFiles(videoId);
    if (!video || video.state !== VideoState.TO_TRANSCODE) return 0;
    const input = bestInputFile(video.VideoFiles ?? []);
    if (!input) throw new Error('The video has no file to transcode');
    // The ingest's probe, stored with the source: the file is not probed again.
    const probe = await this.files.storedProbe(video.id);
    if (!probe) throw new Error('The video has no probed source');
    const t = this.config.transcoding;
    const plan = planTranscoding({
      probe,
      enabledResolutions: this.config.enabledResolutions,
      maxFps: t.fps.max,
      hls: t.hls.enabled,
      webVideos: t.web_videos.enabled,
    });
    if (plan.length === 0 || (!t.hls.enabled && !t.web_videos.enabled)) {
      await this.videos.publish(videoId);
      return 0;
    }

    const deleteInputFileId = t.keep_original ? null : input.id;
    let created = 0;
    let mergeJobId: number | null = null;
    // Highest priority first: runners are pinged as soon as the first row exists.
    for (const planned of [...plan].sort((a, b) => a.priority - b.priority)) {
      const job = await this.jobs.create({
        type: planned.type,
        payload: (jobUUID) => this.payload(video.uuid, jobUUID, planned),
        privatePayload: this.privatePayload(video.uuid, planned, deleteInputFileId),
        priority: planned.priority,
        dependsOnRunnerJobId: planned.afterAudioMerge ? mergeJobId : null,
        videoUUID: video.uuid,
        resolution: planned.resolution,
      });
      if (planned.type === 'vod-audio-merge-transcoding') mergeJobId = job?.id ?? null;
      if (job) created++;
    }
    logger.info({ video: video.uuid, jobs: created, rungs: plan.map((p) => `${p.type}:${p.resolution}${p.streamCopy ? ':copy' : ''}`) }, 'transcoding jobs created');
    return created;
  }

  private fileUrl(videoUuid: string, jobUUID: string, what: string): string {
    return `${this.config.webserverUrl}${RUNNER_PROTOCOL.BASE_PATH}/jobs/${jobUUID}/files/videos/${videoUuid}/${what}`;
  }

  private payload(videoUuid: string, jobUUID: string, p: PlannedJob): RunnerJobPayloadMap[VodRunnerJobType] {
    const videoFileUrl = this.fileUrl(videoUuid, jobUUID, 'max-quality');
    switch (p.type) {
      case 'vod-hls-transcoding':
        return {
          input: { videoFileUrl, separatedAudioFileUrl: [] },
          output: { resolution: p.resolution, fps: p.fps, separatedAudio: false, streamCopy: p.streamCopy },
        } satisfies RunnerJobPayloadMap['vod-hls-transcoding'];
      case 'vod-web-video-transcoding':
        return { input: { videoFileUrl, separatedAudioFileUrl: [] }, output: { resolution: p.resolution, fps: p.fps } } satisfies RunnerJobPayloadMap['vod-web-video-transcoding'];
      case 'vod-audio-merge-transcoding':
        return {
          input: { audioFileUrl: videoFileUrl, previewFileUrl: this.fileUrl(videoUuid, jobUUID, 'previews/max-quality') },
          output: { resolution: p.resolution, fps: p.fps },
        } satisfies RunnerJobPayloadMap['vod-audio-merge-transcoding'];
    }
  }

  private privatePayload(videoUUID: string, p: PlannedJob, deleteInputFileId: number | null): RunnerJobPrivatePayloadMap[VodRunnerJobType] {
    const common = { videoUUID, isNewVideo: true, canMoveVideoState: true, deleteInputFileId };
    if (p.type === 'vod-hls-transcoding') {
      return {
        ...common,
        deleteWebVideoFiles: false,
        inputStreams: [],
        transcodingRequestAt: new Date().toISOString(),
      } satisfies RunnerJobPrivatePayloadMap['vod-hls-transcoding'];
    }
    return common satisfies RunnerJobPrivatePayloadMap['vod-web-video-transcoding'];
  }
}
