import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { RUNNER_PROTOCOL, RunnerJobState, VideoPrivacy, type RunnerJobType } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobHandlers, type RunnerInputKind, type RunnerJobHandler, type UploadedRunnerFile } from '../runners/runner-job-handlers';
import type { RunnerJobModel } from '../runners/runner.model';
import { makeTorrent } from '../videos/media';
import { ThumbnailModel, ThumbnailType } from '../videos/thumbnail.model';
import { VideoFileModel } from '../videos/video-file.model';
import { previewFilePath, torrentFilePath, trackerUrls, webVideoFilePath, webVideoUrl } from '../videos/video-paths';
import { VideoModel } from '../videos/video.model';
import { VideosService } from '../videos/videos.service';
import { HlsStorageService } from './hls-storage.service';
import { moveFile, probeRendition } from './rendition-files';
import { bestInputFile } from './transcoding-jobs.service';

const UNFINISHED = [RunnerJobState.PENDING, RunnerJobState.PROCESSING, RunnerJobState.WAITING_FOR_PARENT_JOB];

interface VodPrivatePayload {
  videoUUID: string;
  deleteInputFileId?: number | null;
}

/**
 * Applies VOD runner results: HLS renditions into the video's HLS folder, web videos and audio
 * merges into web-videos. Publishes after the first rendition; marks the video failed when a job
 * fails for good; drops the original once every job is done (unless `transcoding.keep_original`).
 */
@Injectable()
export class VodResultsService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly handlers: RunnerJobHandlers,
    private readonly hls: HlsStorageService,
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
      const resolution = (job.payload as { output: { resolution: number } }).output.resolution;
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

  private async videoOf(job: RunnerJobModel): Promise<VideoModel> {
    const { videoUUID } = job.privatePayload as unknown as VodPrivatePayload;
    const video = await VideoModel.findOne({ where: { uuid: videoUUID } });
    if (!video) throw new Error(`Video ${videoUUID} no longer exists`);
    return video;
  }

  /** An MP4 from a runner becomes a web video file (with its torrent), replacing one of that resolution. */
  private async addWebVideo(video: VideoModel, upload: UploadedRunnerFile): Promise<void> {
    const probe = await probeRendition(upload.path);
    const resolution = probe.video ? Math.min(probe.video.width, probe.video.height) : 0;
    const filename = `${randomUUID()}-${resolution}.mp4`;
    const path = webVideoFilePath(this.config, filename);
    const torrentFilename = `${randomUUID()}-${resolution}.torrent`;
    await moveFile(upload.path, path);
    try {
      const publicFile = video.privacy === VideoPrivacy.PUBLIC || video.privacy === VideoPrivacy.UNLISTED;
      const { torrent, infoHash } = await makeTorrent({
        file: path,
        name: `${video.name} ${resolution}p.mp4`.replace(/[/\\]/g, '_'),
        announce: trackerUrls(this.config),
        urlList: publicFile ? [webVideoUrl(this.config, video.privacy, filename)] : [],
      });
      await writeFile(torrentFilePath(this.config, torrentFilename), torrent);
      await this.hls.withVideoLock(video.id, async (transaction) => {
        const existing = await VideoFileModel.findAll({ where: { videoId: video.id }, transaction });
        // The original upload is the video's first web file; an earlier transcode of this rung is replaced.
        const originalId = Math.min(...existing.map((f) => f.id));
        const replaced = existing.filter((f) => f.resolution === resolution && f.id !== originalId);
        await VideoFileModel.create(
          {
            videoId: video.id,
            resolution,
            size: (await stat(path)).size,
            fps: probe.video ? Math.round(probe.video.fps * 100) / 100 : -1,
            width: probe.video?.width ?? null,
            height: probe.video?.height ?? null,
            extname: '.mp4',
            filename,
            infoHash,
            torrentFilename,
            hasAudio: !!probe.audio,
            hasVideo: !!probe.video,
          },
          { transaction },
        );
        for (const f of replaced) await this.removeWebFile(f, transaction);
      });
    } catch (err) {
      await rm(path, { force: true });
      await rm(torrentFilePath(this.config, torrentFilename), { force: true });
      throw err;
    }
  }

  private async removeWebFile(file: VideoFileModel, transaction?: Transaction): Promise<void> {
    await file.destroy({ transaction });
    await rm(webVideoFilePath(this.config, file.filename), { force: true });
    if (file.torrentFilename) await rm(torrentFilePath(this.config, file.torrentFilename), { force: true });
  }

  /** First rendition in → published. Last job done → the original may go. */
  private async afterRendition(video: VideoModel, job: RunnerJobModel): Promise<void> {
    await this.videos.publish(video.id);
    const { deleteInputFileId } = job.privatePayload as unknown as VodPrivatePayload;
    if (!deleteInputFileId) return;
    await this.hls.withVideoLock(video.id, async (transaction) => {
      const [row] = await this.sequelize.query<{ unfinished: string; failed: string }>(
        `SELECT count(*) FILTER (WHERE state IN (:unfinished)) AS unfinished, count(*) FILTER (WHERE state = :errored) AS failed
         FROM runner_job WHERE video_uuid = :uuid AND id <> :id`,
        { type: QueryTypes.SELECT, transaction, replacements: { unfinished: UNFINISHED, errored: RunnerJobState.ERRORED, uuid: video.uuid, id: job.id } },
      );
      // A failed rung may be retried by an admin: it still needs the original.
      if (Number(row.unfinished) > 0 || Number(row.failed) > 0) return;
      const original = await VideoFileModel.findOne({ where: { id: deleteInputFileId, videoId: video.id }, transaction });
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
    const left = await this.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM runner_job WHERE video_uuid = :uuid AND state IN (:unfinished)`,
      { type: QueryTypes.SELECT, replacements: { uuid: video.uuid, unfinished: UNFINISHED } },
    );
    if (Number(left[0].n) > 0) return;
    const renditions = await this.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM runner_job WHERE video_uuid = :uuid AND state = :completed`,
      { type: QueryTypes.SELECT, replacements: { uuid: video.uuid, completed: RunnerJobState.COMPLETED } },
    );
    if (Number(renditions[0].n) > 0) await this.videos.publish(video.id);
    else await this.videos.markTranscodingFailed(video.id, 'Transcoding was cancelled by an administrator');
  }

  private async inputFile(job: RunnerJobModel, kind: RunnerInputKind): Promise<string | null> {
    const video = await this.videoOf(job).catch(() => null);
    if (!video) return null;
    if (kind === 'preview') {
      const preview = await ThumbnailModel.findOne({ where: { videoId: video.id, type: ThumbnailType.PREVIEW } });
      return preview ? previewFilePath(this.config, preview.filename) : null;
    }
    const files = await VideoFileModel.findAll({ where: { videoId: video.id } });
    const audioOnly = files.filter((f) => f.hasAudio && !f.hasVideo).sort((a, b) => b.size - a.size)[0];
    const file = kind === 'max-quality-audio' ? (audioOnly ?? bestInputFile(files)) : bestInputFile(files);
    return file ? webVideoFilePath(this.config, file.filename) : null;
  }
}
