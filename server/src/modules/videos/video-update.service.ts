import { Injectable } from '@nestjs/common';
import { ErrorCode, VideoPrivacy, type VideoUpdate } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { ChannelsService } from '../channels/channels.service';
import type { AuthUser } from '../users/users.types';
import { ImageFilesService } from '../media-files/image-files.service';
import { ThumbnailType } from '../media-files';
import { EventBus } from '../../platform/events/event-bus.service';
import { attributeColumns, checkVideoAttributes } from './video-attributes';
import type { VideoModel } from './video.model';

/** PUT /videos/:id: partial attribute changes, channel moves, new thumbnail/preview. */
@Injectable()
export class VideoUpdateService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly images: ImageFilesService,
    private readonly events: EventBus,
  ) {}

  async update(video: VideoModel, user: AuthUser, body: VideoUpdate, images: { thumbnail?: string; preview?: string }): Promise<void> {
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
    // Images first, into new files: a refused image (not an image, too large) must leave the video
    // exactly as it was, so nothing is written to the row before every part is known to be good.
    const prepared = await this.prepareImages(video, images);
    const previousPrivacy = video.privacy;
    try {
      await video.update(columns);
    } catch (err) {
      await this.images.discardVideoImages(prepared, []);
      throw err;
    }
    // Files move between the public and private/ URL prefixes (the static files' privacy cache and the
    // tracker listen).
    if (body.privacy !== undefined) {
      this.events.emit('video.privacy-changed', { uuid: video.uuid, privacy: body.privacy });
    }
    for (const p of prepared) await this.images.useVideoImage(video, p.type, p.filename);
    this.events.emit('video.updated', { videoId: video.id, previousPrivacy });
  }

  private async prepareImages(video: VideoModel, images: { thumbnail?: string; preview?: string }): Promise<Array<{ type: number; filename: string }>> {
    const wanted: Array<{ type: number; uploaded: string }> = [];
    if (images.thumbnail) wanted.push({ type: ThumbnailType.MINIATURE, uploaded: images.thumbnail });
    if (images.preview) wanted.push({ type: ThumbnailType.PREVIEW, uploaded: images.preview });
    const prepared: Array<{ type: number; filename: string }> = [];
    for (const [i, w] of wanted.entries()) {
      try {
        prepared.push({ type: w.type, filename: await this.images.prepareVideoImage(video, w.type, w.uploaded) });
      } catch (err) {
        await this.images.discardVideoImages(prepared, wanted.slice(i + 1).map((x) => x.uploaded));
        throw err;
      }
    }
    return prepared;
  }
}
