import { Injectable } from '@nestjs/common';
import { ErrorCode, VideoPrivacy, type VideoUpdate } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { domainEvents } from '../../common/events';
import { ChannelsService } from '../channels/channels.service';
import type { UserModel } from '../users/user.model';
import { StaticFilesService } from './static-files.service';
import { ThumbnailType } from './thumbnail.model';
import { attributeColumns, checkVideoAttributes } from './video-attributes';
import { VideoIngestService } from './video-ingest.service';
import type { VideoModel } from './video.model';

/** PUT /videos/:id: partial attribute changes, channel moves, new thumbnail/preview. */
@Injectable()
export class VideoUpdateService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly ingest: VideoIngestService,
    private readonly staticFiles: StaticFilesService,
  ) {}

  async update(video: VideoModel, user: UserModel, body: VideoUpdate, images: { thumbnail?: string; preview?: string }): Promise<void> {
    checkVideoAttributes(body);
    const columns = attributeColumns(body);
    if (body.channelId !== undefined && body.channelId !== video.channelId) {
      const channel = await this.channels.findById(body.channelId);
      if (!channel) throw new AppError(400, ErrorCode.CHANNEL_NOT_FOUND, `Video channel ${body.channelId} not found`);
      this.channels.assertCanManage(channel, user);
      columns.channelId = channel.id;
    }
    // A video made public for the first time gets its publication date then (as PeerTube).
    const wasHidden = video.privacy === VideoPrivacy.PRIVATE || video.privacy === VideoPrivacy.INTERNAL;
    if (wasHidden && body.privacy === VideoPrivacy.PUBLIC && video.publishedAt) columns.publishedAt = new Date();
    await video.update(columns);
    // Files move between the public and private/ URL prefixes: drop this process's cached privacy now.
    if (body.privacy !== undefined) {
      this.staticFiles.forget(video.uuid);
      domainEvents.emit('video.privacy-changed', { uuid: video.uuid, privacy: body.privacy });
    }
    if (images.thumbnail) await this.ingest.replaceImage(video, ThumbnailType.MINIATURE, images.thumbnail);
    if (images.preview) await this.ingest.replaceImage(video, ThumbnailType.PREVIEW, images.preview);
  }
}
