import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import type { Sequelize } from 'sequelize';
import { ErrorCode, VIDEO_FILE_EXTENSIONS, VideoPrivacy, VideoState, type ProbeSummary, type VideoCreate } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { EventBus } from '../../platform/events/event-bus.service';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ChannelsService } from '../channels/channels.service';
import type { VideoChannelModel } from '../channels';
import { MediaFilesRepository, probeMedia, resolutionOf, type StorageKey, ThumbnailType, removeStaged, stagedSize } from '../media-files';
import { ImageFilesService } from '../media-files/image-files.service';
import { WebVideoFilesService } from '../media-files/web-video-files.service';
import type { AuthUser } from '../users/users.types';
import { attributeColumns, checkVideoAttributes } from './video-attributes';
import { VideoModel } from './video.model';
import { VideosService } from './videos.service';

/** Accepted containers: the list /api/v1/config advertises. */
export const VIDEO_EXTENSIONS = VIDEO_FILE_EXTENSIONS;

export interface IngestInput {
  user: AuthUser;
  attrs: VideoCreate;
  /** The uploaded file in the temporary folder; moved into storage or removed, never left behind. */
  file: string;
  originalName: string;
  thumbnailFile?: string | null;
  previewFile?: string | null;
}

/**
 * Turns an uploaded file into a video: checks (channel, attributes, size, quota, media), keeps the
 * original as the first web video with its torrent, makes the thumbnail and preview, stores the
 * rows in one transaction. Any failure removes every file it made and the upload itself.
 */
@Injectable()
export class VideoIngestService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly channels: ChannelsService,
    private readonly videos: VideosService,
    private readonly events: EventBus,
    private readonly files: MediaFilesRepository,
    private readonly webFiles: WebVideoFilesService,
    private readonly images: ImageFilesService,
  ) {}

  /** What can be checked before the bytes arrive (resumable init, and again at the end). */
  async precheck(user: AuthUser, attrs: VideoCreate, size: number, filename: string): Promise<VideoChannelModel> {
    const channel = await this.channels.findById(attrs.channelId);
    if (!channel) throw new AppError(400, ErrorCode.CHANNEL_NOT_FOUND, `Video channel ${attrs.channelId} not found`);
    this.channels.assertCanManage(channel, user);
    checkVideoAttributes(attrs);
    if (!VIDEO_EXTENSIONS.includes(extname(filename).toLowerCase())) {
      throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Unsupported file extension; accepted: ${VIDEO_EXTENSIONS.join(', ')}`);
    }
    if (size === 0) throw new AppError(400, ErrorCode.EMPTY_FILE, 'The video file is empty');
    this.videos.assertFileSize(size);
    await this.videos.assertQuota(user, size);
    return channel;
  }

  async ingest(input: IngestInput): Promise<VideoModel> {
    const made: StorageKey[] = [];
    try {
      const size = (await stagedSize(input.file)) ?? 0;
      const channel = await this.precheck(input.user, input.attrs, size, input.originalName);
      const probe = await probeMedia(input.file);
      const video = await this.store(input, channel, probe, size, made);
      this.events.emit(video.state === VideoState.PUBLISHED ? 'video.published' : 'video.uploaded', { videoId: video.id });
      return video;
    } catch (err) {
      await removeStaged([input.file]);
      await this.images.remove(made);
      throw err;
    } finally {
      await removeStaged([input.thumbnailFile, input.previewFile]);
    }
  }

  private async store(input: IngestInput, channel: VideoChannelModel, probe: ProbeSummary, size: number, made: StorageKey[]): Promise<VideoModel> {
    const uuid = randomUUID();
    const resolution = resolutionOf(probe);
    const privacy = input.attrs.privacy ?? VideoPrivacy.PUBLIC;
    // Images come from the staged upload, before it moves into storage.
    const source = { video: input.file, probe };
    const thumbnail = await this.images.makeVideoImage(ThumbnailType.MINIATURE, { ...source, uploaded: input.thumbnailFile }, made);
    const preview = await this.images.makeVideoImage(ThumbnailType.PREVIEW, { ...source, uploaded: input.previewFile ?? input.thumbnailFile }, made);
    const file = await this.webFiles.store(
      {
        localPath: input.file,
        ext: extname(input.originalName).toLowerCase(),
        resolution,
        probe,
        fps: probe.video ? Math.round(probe.video.fps) : -1,
        videoName: input.attrs.name,
        privacy,
      },
      made,
    );

    const transcode = this.config.transcoding.enabled;
    const now = new Date();
    return this.sequelize.transaction(async (transaction) => {
      const video = await VideoModel.create(
        {
          uuid,
          url: `${this.config.webserverUrl}/videos/watch/${uuid}`,
          channelId: channel.id,
          privacy,
          waitTranscoding: true,
          ...attributeColumns(input.attrs),
          duration: Math.round(probe.duration),
          aspectRatio: probe.video ? Math.round((probe.video.width / probe.video.height) * 10000) / 10000 : null,
          state: transcode ? VideoState.TO_TRANSCODE : VideoState.PUBLISHED,
          publishedAt: transcode ? null : now,
          inputFileUpdatedAt: now,
        },
        { transaction },
      );
      await this.files.createWebFile(video.id, file, transaction);
      await this.files.createThumbnails(video.id, [thumbnail, preview], transaction);
      await this.files.createSource(video.id, { inputFilename: input.originalName.slice(0, 1000), size, resolution, probe }, transaction);
      return video;
    });
  }
}
