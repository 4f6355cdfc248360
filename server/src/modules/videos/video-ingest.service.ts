import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { copyFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Sequelize } from 'sequelize';
import { ErrorCode, VIDEO_FILE_EXTENSIONS, VideoPrivacy, VideoState, type ProbeSummary, type VideoCreate } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { domainEvents } from '../../common/events';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ChannelsService } from '../channels/channels.service';
import type { VideoChannelModel } from '../channels/video-channel.model';
import type { UserModel } from '../users/user.model';
import { extractFrame, makeTorrent, placeholderImage, probeMedia, resizeImage, resolutionOf } from './media';
import { ThumbnailModel, ThumbnailType } from './thumbnail.model';
import { attributeColumns, checkVideoAttributes } from './video-attributes';
import { VideoFileModel } from './video-file.model';
import {
  PREVIEW_SIZE,
  previewFilePath,
  THUMBNAIL_SIZE,
  thumbnailFilePath,
  torrentFilePath,
  trackerUrls,
  webVideoFilePath,
  webVideoUrl,
} from './video-paths';
import { VideoSourceModel } from './video-source.model';
import { VideoModel } from './video.model';
import { VideosService } from './videos.service';

/** Accepted containers: the list /api/v1/config advertises. */
export const VIDEO_EXTENSIONS = VIDEO_FILE_EXTENSIONS;

export interface IngestInput {
  user: UserModel;
  attrs: VideoCreate;
  /** The uploaded file in the temporary folder; moved into storage or removed, never left behind. */
  file: string;
  originalName: string;
  thumbnailFile?: string | null;
  previewFile?: string | null;
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}

const removeQuietly = (paths: Array<string | null | undefined>) =>
  Promise.all(paths.filter((p): p is string => !!p).map((p) => unlink(p).catch(() => undefined)));

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
  ) {}

  /** What can be checked before the bytes arrive (resumable init, and again at the end). */
  async precheck(user: UserModel, attrs: VideoCreate, size: number, filename: string): Promise<VideoChannelModel> {
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
    const made: string[] = [];
    try {
      const { size } = await stat(input.file);
      const channel = await this.precheck(input.user, input.attrs, size, input.originalName);
      const probe = await probeMedia(input.file);
      const video = await this.store(input, channel, probe, size, made);
      domainEvents.emit(video.state === VideoState.PUBLISHED ? 'video.published' : 'video.uploaded', { videoId: video.id });
      return video;
    } catch (err) {
      await removeQuietly([input.file, ...made]);
      throw err;
    } finally {
      await removeQuietly([input.thumbnailFile, input.previewFile]);
    }
  }

  private async store(input: IngestInput, channel: VideoChannelModel, probe: ProbeSummary, size: number, made: string[]): Promise<VideoModel> {
    const uuid = randomUUID();
    const resolution = resolutionOf(probe);
    const ext = extname(input.originalName).toLowerCase();
    const privacy = input.attrs.privacy ?? VideoPrivacy.PUBLIC;
    const filename = `${randomUUID()}-${resolution}${ext}`;
    const filePath = webVideoFilePath(this.config, filename);
    await moveFile(input.file, filePath);
    made.push(filePath);

    const thumbName = `${randomUUID()}.jpg`;
    const previewName = `${randomUUID()}.jpg`;
    await this.makeImage(input.thumbnailFile, filePath, thumbnailFilePath(this.config, thumbName), THUMBNAIL_SIZE, probe, made);
    await this.makeImage(input.previewFile ?? input.thumbnailFile, filePath, previewFilePath(this.config, previewName), PREVIEW_SIZE, probe, made);

    // Private files are only served with a token: a web seed URL would not work for peers.
    const torrentFilename = `${randomUUID()}-${resolution}.torrent`;
    const { torrent, infoHash } = await makeTorrent({
      file: filePath,
      name: `${input.attrs.name} ${resolution}p${ext}`.replace(/[/\\]/g, '_'),
      announce: trackerUrls(this.config),
      urlList: privacy === VideoPrivacy.PUBLIC || privacy === VideoPrivacy.UNLISTED ? [webVideoUrl(this.config, privacy, filename)] : [],
    });
    const torrentPath = torrentFilePath(this.config, torrentFilename);
    await writeFile(torrentPath, torrent);
    made.push(torrentPath);

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
      await VideoFileModel.create(
        {
          videoId: video.id,
          resolution,
          size,
          fps: probe.video ? Math.round(probe.video.fps) : -1,
          width: probe.video?.width ?? null,
          height: probe.video?.height ?? null,
          extname: ext,
          filename,
          infoHash,
          torrentFilename,
          hasAudio: !!probe.audio,
          hasVideo: !!probe.video,
        },
        { transaction },
      );
      await ThumbnailModel.bulkCreate(
        [
          { videoId: video.id, type: ThumbnailType.MINIATURE, filename: thumbName, ...THUMBNAIL_SIZE },
          { videoId: video.id, type: ThumbnailType.PREVIEW, filename: previewName, ...PREVIEW_SIZE },
        ],
        { transaction },
      );
      await VideoSourceModel.create(
        {
          videoId: video.id,
          inputFilename: input.originalName.slice(0, 1000),
          size,
          resolution,
          width: probe.video?.width ?? null,
          height: probe.video?.height ?? null,
          fps: probe.video?.fps ?? null,
          duration: probe.duration,
          formatName: probe.formatName,
          videoCodec: probe.video?.codec ?? null,
          audioCodec: probe.audio?.codec ?? null,
        },
        { transaction },
      );
      return video;
    });
  }

  /** An uploaded image resized, else a frame of the video, else (audio only) a placeholder. */
  private async makeImage(
    uploaded: string | null | undefined,
    video: string,
    output: string,
    size: { width: number; height: number },
    probe: ProbeSummary,
    made: string[],
  ): Promise<void> {
    made.push(output);
    if (uploaded) await resizeImage(uploaded, output, size);
    else if (probe.video) await extractFrame(video, output, size, probe.duration);
    else await placeholderImage(output, size);
  }

  /** Replaces a thumbnail or preview of an existing video from an uploaded image (PUT /videos/:id). */
  async replaceImage(video: VideoModel, type: number, uploaded: string): Promise<void> {
    await this.useImage(video, type, await this.prepareImage(video, type, uploaded));
  }

  /**
   * Resizes an uploaded image into a new file and removes the upload; nothing the video shows changes
   * yet (useImage does that). A refused image leaves no file behind.
   */
  async prepareImage(video: VideoModel, type: number, uploaded: string): Promise<string> {
    const size = type === ThumbnailType.MINIATURE ? THUMBNAIL_SIZE : PREVIEW_SIZE;
    const filename = `${video.uuid}-${Date.now()}.jpg`;
    try {
      await resizeImage(uploaded, this.imagePath(type, filename), size);
    } finally {
      await removeQuietly([uploaded]);
    }
    return filename;
  }

  /** Points the video at a prepared image and removes the one it replaces. */
  async useImage(video: VideoModel, type: number, filename: string): Promise<void> {
    const size = type === ThumbnailType.MINIATURE ? THUMBNAIL_SIZE : PREVIEW_SIZE;
    const existing = await ThumbnailModel.findOne({ where: { videoId: video.id, type } });
    if (existing) {
      const old = existing.filename;
      await existing.update({ filename });
      await removeQuietly([this.imagePath(type, old)]);
    } else {
      await ThumbnailModel.create({ videoId: video.id, type, filename, ...size });
    }
  }

  /** Removes prepared images that will not be used, and uploads never prepared. */
  async discardImages(prepared: Array<{ type: number; filename: string }>, uploads: string[]): Promise<void> {
    await removeQuietly([...prepared.map((p) => this.imagePath(p.type, p.filename)), ...uploads]);
  }

  private imagePath(type: number, filename: string): string {
    return type === ThumbnailType.MINIATURE ? thumbnailFilePath(this.config, filename) : previewFilePath(this.config, filename);
  }
}
