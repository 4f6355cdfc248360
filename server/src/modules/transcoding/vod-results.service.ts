import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Transaction } from 'sequelize';
import {
  isVodRunnerJobType,
  parseRunnerJobPayload,
  parseRunnerJobPrivatePayload,
  RUNNER_JOB_CANCELLABLE_STATES,
  RUNNER_PROTOCOL,
  RunnerJobState,
  type RunnerJobType,
} from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { HlsStorageService } from '../media-files/hls-storage.service';
import { MediaFilesRepository, probeFile, resolutionOf, type StorageKey, type VideoFileModel } from '../media-files';
import { WebVideoFilesService } from '../media-files/web-video-files.service';
import { RunnerJobHandlers, type RunnerInputKind, type RunnerJobHandler, type UploadedRunnerFile, type RunnerJobModel } from '../runners';
import { RunnerJobsService } from '../runners/runner-jobs.service';
import type { VideoModel } from '../videos';
import { VideosService } from '../videos/videos.service';
import { bestInputFile } from './transcoding-jobs.service';

/** Jobs that will still read the video's original: pending, processing, or waiting for a parent. */
const NEEDS_INPUT = RUNNER_JOB_CANCELLABLE_STATES;

/**
 * Applies VOD runner results: HLS renditions into the video's HLS folder, web videos and audio
 * merges into web-videos. Publishes after the first rendition; marks the video failed when a job
 * fails for good; drops the original once every job is done (unless `transcoding.keep_original`).
 */
@Injectable()
export class VodResultsService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly handlers: RunnerJobHandlers,
    private readonly jobs: RunnerJobsService,
    private readonly hls: HlsStorageService,
    private readonly files: MediaFilesRepository,
    private readonly webFiles: WebVideoFilesService,
    private readonly videos: VideosService,
  ) {}

  onModuleInit(): void {
    const { stalled_jobs: stalled, max_failures: maxFailures } = this.config.runners;
    const common: Omit<RunnerJobHandler, 'complete'> = {
      // A VOD job may move to another runner; a runner still on the socket is alive, so it gets
      // PeerTube's 2 minutes at least (its runner reports once a minute).
      policy: { stallWindowMs: stalled.vod, connectedStallWindowMs: Math.max(stalled.vod, RUNNER_PROTOCOL.STALLED_VOD_JOB_MS), abortable: true, maxFailures },
      onFinalError: (job, message) => this.onFinalError(job, message),
      onCancel: (job) => this.onCancel(job),
      inputFile: (job, kind) => this.inputFile(job, kind),
      inputRoots: () => [this.config.paths.webVideos, this.config.paths.previews],
    };
    const register = (type: RunnerJobType, complete: RunnerJobHandler['complete']) => this.handlers.register(type, { ...common, complete });
    register('vod-hls-transcoding', async (job, files) => {
      const video = await this.videoOf(job);
      const { resolution } = parseRunnerJobPayload('vod-hls-transcoding', job.payload).output;
      await this.hls.addRendition(video, { videoFile: files.videoFile, resolutionPlaylistFile: files.resolutionPlaylistFile }, resolution);
      await this.afterRendition(video, job);
    });
    register('vod-web-video-transcoding', async (job, files) => {
      const video = await this.videoOf(job);
      await this.addWebVideo(video, files.videoFile);
      await this.afterRendition(video, job);
    });
    register('vod-audio-merge-transcoding', async (job, files) => {
      const video = await this.videoOf(job);
      await this.addWebVideo(video, files.videoFile);
      await this.afterRendition(video, job);
    });
  }

  private privatePayload(job: RunnerJobModel) {
    if (!isVodRunnerJobType(job.type)) throw new Error(`Not a VOD job: ${job.type}`);
    return parseRunnerJobPrivatePayload(job.type, job.privatePayload);
  }

  private async videoOf(job: RunnerJobModel): Promise<VideoModel> {
    const { videoUUID } = this.privatePayload(job);
    const video = await this.videos.loadByIdentifier(videoUUID).catch(() => null);
    if (!video) throw new Error(`Video ${videoUUID} no longer exists`);
    return video;
  }

  /** An MP4 from a runner becomes a web video file (with its torrent), replacing one of that resolution. */
  private async addWebVideo(video: VideoModel, upload: UploadedRunnerFile): Promise<void> {
    const probe = await probeFile(upload.path);
    const made: StorageKey[] = [];
    try {
      const values = await this.webFiles.store(
        {
          localPath: upload.path,
          ext: '.mp4',
          resolution: resolutionOf(probe),
          probe,
          fps: probe.video ? Math.round(probe.video.fps * 100) / 100 : -1,
          videoName: video.name,
          privacy: video.privacy,
        },
        made,
      );
      await this.hls.withVideoLock(video.id, async (transaction) => {
        const existing = await this.files.webFilesOf(video.id, transaction);
        // The original upload is the video's first web file; an earlier transcode of this rung is replaced.
        const originalId = Math.min(...existing.map((f) => f.id));
        const replaced = existing.filter((f) => f.resolution === values.resolution && f.id !== originalId);
        await this.files.createWebFile(video.id, values, transaction);
        for (const f of replaced) await this.removeWebFile(f, transaction);
      });
    } catch (err) {
      await this.webFiles.remove(made);
      throw err;
    }
  }

  private async removeWebFile(file: VideoFileModel, transaction?: Transaction): Promise<void> {
    await file.destroy({ transaction });
    await this.webFiles.remove(this.webFiles.keysOf(file));
  }

  /** First rendition in → published. Last job done → the original may go. */
  private async afterRendition(video: VideoModel, job: RunnerJobModel): Promise<void> {
    await this.videos.publish(video.id);
    const { deleteInputFileId } = this.privatePayload(job);
    if (!deleteInputFileId) return;
    await this.hls.withVideoLock(video.id, async (transaction) => {
      const unfinished = await this.jobs.countForVideo(video.uuid, NEEDS_INPUT, job.id, transaction);
      const failed = await this.jobs.countForVideo(video.uuid, [RunnerJobState.ERRORED], job.id, transaction);
      // A failed rung may be retried by an admin: it still needs the original.
      if (unfinished > 0 || failed > 0) return;
      const original = await this.files.webFile(video.id, deleteInputFileId, transaction);
      if (!original) return;
      await this.removeWebFile(original, transaction);
      logger.info({ video: video.uuid, file: original.filename }, 'original file removed (transcoding.keep_original is false)');
    });
  }

  private async onFinalError(job: RunnerJobModel, message: string): Promise<void> {
    const video = await this.videoOf(job).catch(() => null);
    if (video) await this.videos.markTranscodingFailed(video.id, message);
  }

  /** A cancelled job: once nothing is left to run, a video with renditions is published, else failed. */
  private async onCancel(job: RunnerJobModel): Promise<void> {
    const video = await this.videoOf(job).catch(() => null);
    if (!video) return;
    if ((await this.jobs.countForVideo(video.uuid, NEEDS_INPUT)) > 0) return;
    if ((await this.jobs.countForVideo(video.uuid, [RunnerJobState.COMPLETED])) > 0) await this.videos.publish(video.id);
    else await this.videos.markTranscodingFailed(video.id, 'Transcoding was cancelled by an administrator');
  }

  private async inputFile(job: RunnerJobModel, kind: RunnerInputKind): Promise<string | null> {
    const video = await this.videoOf(job).catch(() => null);
    if (!video) return null;
    if (kind === 'preview') {
      const preview = await this.files.preview(video.id);
      return preview ? this.webFiles.localPathOf({ area: 'previews', name: preview.filename }) : null;
    }
    const files = await this.files.webFilesOf(video.id);
    const audioOnly = files.filter((f) => f.hasAudio && !f.hasVideo).sort((a, b) => b.size - a.size)[0];
    const file = kind === 'max-quality-audio' ? (audioOnly ?? bestInputFile(files)) : bestInputFile(files);
    return file ? this.webFiles.localPathOf({ area: 'web-videos', name: file.filename }) : null;
  }
}
