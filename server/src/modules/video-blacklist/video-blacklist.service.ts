import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ErrorCode,
  VideoBlacklistType,
  type BlacklistVideo,
  type ListBlacklistQuery,
  type ResultList,
  type VideoBlacklistEntry,
} from '@flotilla/shared';
import { conflict, notFound } from '../../common/app-error';
import { EventBus } from '../../platform/events/event-bus.service';
import { Mailer } from '../../platform/mail/mailer.service';
import { UsersService } from '../users/users.service';
import { VideoFormatterService } from '../videos/video-formatter.service';
import { VideosService } from '../videos/videos.service';
import { VideoBlacklistRepository } from './video-blacklist.repository';

const TYPE_LABELS: Record<number, string> = { [VideoBlacklistType.MANUAL]: 'Manual', [VideoBlacklistType.AUTO_BEFORE_PUBLISHED]: 'Automatic' };

/**
 * PeerTube's video blacklist, shown as "hide" in the UI: a hidden video leaves every list and its
 * page answers 403 to all but its owner and moderators (the videos module reads the table). The
 * owner is told of a hiding and an unhiding by the notifications module (`video.hidden-changed`,
 * per the owner's `blacklistOnMyVideo` setting); of a deletion by a moderator, by mail from here.
 */
@Injectable()
export class VideoBlacklistService implements OnModuleInit {
  constructor(
    private readonly repo: VideoBlacklistRepository,
    private readonly videos: VideosService,
    private readonly formatter: VideoFormatterService,
    private readonly users: UsersService,
    private readonly mailer: Mailer,
    private readonly events: EventBus,
  ) {}

  async hide(idOrUuid: string, body: BlacklistVideo): Promise<void> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    if (!(await this.repo.add(video.id, body.reason ?? null, body.unfederate ?? false))) {
      throw conflict('This video is already hidden', ErrorCode.VIDEO_ALREADY_BLACKLISTED);
    }
    this.events.emit('video.hidden-changed', { uuid: video.uuid, hidden: true });
  }

  /** PeerTube's PUT: a new reason for a video already hidden. */
  async updateReason(idOrUuid: string, reason: string | undefined): Promise<void> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    if (!(await this.repo.updateReason(video.id, reason ?? null))) throw notFound('This video is not hidden', ErrorCode.VIDEO_NOT_BLACKLISTED);
  }

  async unhide(idOrUuid: string): Promise<void> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    if (!(await this.repo.remove(video.id))) throw notFound('This video is not hidden', ErrorCode.VIDEO_NOT_BLACKLISTED);
    this.events.emit('video.hidden-changed', { uuid: video.uuid, hidden: false });
  }

  /** The video's blacklist entry (id and reason) for its owner's notification; null when it is not hidden (any more). */
  async entryOf(videoId: number): Promise<{ id: number; reason: string | null } | null> {
    const row = await this.repo.findByVideo(videoId);
    return row && { id: row.id, reason: row.reason };
  }

  async list(q: ListBlacklistQuery): Promise<ResultList<VideoBlacklistEntry>> {
    const { rows, total } = await this.repo.list(q);
    const data: VideoBlacklistEntry[] = [];
    for (const r of rows) {
      const video = await this.videos.loadWithFiles(r.video_id);
      if (!video) continue;
      data.push({
        id: r.id,
        videoId: r.video_id,
        reason: r.reason,
        unfederated: r.unfederated,
        type: { id: r.type, label: TYPE_LABELS[r.type] ?? 'Manual' },
        createdAt: new Date(r.created_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
        video: this.formatter.format(video),
      });
    }
    return { total, data };
  }

  /** A moderator deleted someone else's video: its owner is told. */
  onModuleInit(): void {
    this.events.on('video.deleted', async ({ name, ownerUserId, byUserId }) => {
      if (!byUserId || !ownerUserId || byUserId === ownerUserId) return;
      await this.tellOwner(ownerUserId, `Your video "${name}" was deleted by a moderator`, `A moderator deleted your video "${name}".\n`);
    });
  }

  private async tellOwner(userId: number | null | undefined, subject: string, text: string): Promise<void> {
    if (!userId || !this.mailer.enabled) return;
    const owner = await this.users.findById(userId);
    await this.mailer.queue({ to: owner.email, subject, text });
  }
}
