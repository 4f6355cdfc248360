import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import {
  ErrorCode,
  VideoPrivacy,
  VideoState,
  type ResultList,
  type VideoCreate,
  type Video,
  type VideoListQuery,
  type VideoQuotaUsed,
} from '@flotilla/shared';
import { AppError, forbidden, notFound, unauthorized } from '../../common/app-error';
import { EventBus } from '../../platform/events/event-bus.service';
import { logger } from '../../common/logger';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import type { AuthUser } from '../users/users.types';
import { hasRight, UserRight } from '../../common/rights';
import { canManageVideo, isVideoOwner, videoAccess, videoIdentifierWhere } from './video-access';
import { attributeColumns, checkVideoAttributes } from './video-attributes';
import { VideoFormatterService } from './video-formatter.service';
import { listIncludes } from './video-includes';
import { VideoListParts } from './video-list-parts.service';
import { removeStoredVideoFiles, STORAGE_PROVIDER, type StorageProvider } from '../media-files';
import { listOrder, listWhere, type ListScope } from './video-query';
import { VideoModel } from './video.model';
import { VideoRepository, type RemoteVideoRow } from './video.repository';

export type { RemoteVideoRow };

/** Loading, listing, publishing and removing videos. Creation from an uploaded file is VideoIngestService. */
@Injectable()
export class VideosService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly formatter: VideoFormatterService,
    private readonly events: EventBus,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly repo: VideoRepository,
    private readonly listParts: VideoListParts,
  ) {}

  /** A video with its channel, account, thumbnails, web video files and streaming playlists (with their files). */
  async loadWithFiles(videoId: number, transaction?: Transaction): Promise<VideoModel | null> {
    return this.repo.findDetailed({ id: videoId }, transaction);
  }

  /** By id, UUID or shortUUID; 404 when unknown. `withFiles: false`: its owners only (a lighter query). */
  async loadByIdentifier(idOrUuid: string, opts: { withFiles?: boolean } = {}): Promise<VideoModel> {
    const where = videoIdentifierWhere(idOrUuid);
    const video = where ? await (opts.withFiles === false ? this.repo.findWithOwners(where) : this.repo.findDetailed(where)) : null;
    if (!video) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    return video;
  }

  /** Loads a video the caller may see: 401 when a token would help, 403 when it would not. */
  async loadVisible(idOrUuid: string, user: AuthUser | undefined, opts: { withFiles?: boolean } = {}): Promise<VideoModel> {
    const video = await this.loadByIdentifier(idOrUuid, opts);
    this.assertCanSee(video, user);
    // A video a moderator hid is seen by its owner and moderators only (PeerTube's blacklist rule).
    if (!(user && (isVideoOwner(video, user) || hasRight(user.role, UserRight.SEE_ALL_VIDEOS))) && (await this.repo.blacklistReason(video.id)) !== undefined) {
      throw forbidden('This video was hidden by a moderator', ErrorCode.VIDEO_BLACKLISTED);
    }
    return video;
  }

  /** Whether a moderator hid the video, and why (shown to its owner and moderators). */
  async blacklistOf(videoId: number): Promise<{ blacklisted: boolean; blacklistedReason: string | null }> {
    const reason = await this.repo.blacklistReason(videoId);
    return { blacklisted: reason !== undefined, blacklistedReason: reason ?? null };
  }

  assertCanSee(video: VideoModel, user: AuthUser | undefined): void {
    const access = videoAccess(video, user);
    if (access === 'needs-auth') throw unauthorized('This video is not public: authenticate to see it', ErrorCode.UNAUTHORIZED);
    if (access === 'forbidden') throw forbidden('You cannot see this video', ErrorCode.VIDEO_NOT_ACCESSIBLE);
  }

  assertCanManage(video: VideoModel, user: AuthUser): void {
    if (!canManageVideo(video, user)) throw forbidden('You are not the owner of this video', ErrorCode.NOT_VIDEO_OWNER);
  }

  async list(q: VideoListQuery, scope: Omit<ListScope, 'defaultNsfwPolicy' | 'localHost'>): Promise<ResultList<Video>> {
    const full: ListScope = { ...scope, defaultNsfwPolicy: this.config.instance.default_nsfw_policy, localHost: this.config.webserverHost };
    const withFiles = q.include !== undefined && (q.include & 8) !== 0;
    const where = listWhere(this.sequelize, q, full);
    // Plain rows: the formatter only reads properties; the one-to-many parts come next.
    const rows = await this.repo.findPage({ where, include: listIncludes(), order: listOrder(this.sequelize, q.sort, q.search), offset: q.start, limit: q.count });
    await this.listParts.attach(rows, withFiles);
    const total = q.skipCount ? rows.length : await this.repo.count(where);
    return { total, data: rows.map((v) => this.formatter.format(v, { withFiles })) };
  }

  /** Creates or refreshes a remote video's row (federation); its files are the media files' to write. */
  upsertRemote(row: RemoteVideoRow): Promise<{ id: number; created: boolean }> {
    return this.repo.upsertRemote(row);
  }

  /** A video (local or remote) by its ActivityPub URL, with its files and owners; null when unknown. */
  async loadByUrl(url: string): Promise<VideoModel | null> {
    const row = await this.repo.findByUrl(url);
    return row ? this.loadWithFiles(row.id) : null;
  }

  /** Ids, uuids, privacy and hidden state of every video, or of these uuids (the P2P tracker's view). */
  privacies(uuids?: string[]) {
    return this.repo.privacies(uuids);
  }

  /** A video's name, state and owners for a notification (one query, no model). */
  notificationSubject(videoId: number) {
    return this.repo.notificationSubject(videoId);
  }

  /** Local videos (NodeInfo's localPosts). */
  countLocal(): Promise<number> {
    return VideoModel.countLocal();
  }

  /** State → PUBLISHED (once), publishedAt set, `video.published` emitted. Safe to call twice. */
  async publish(videoId: number): Promise<void> {
    const moved = await this.repo.publish(videoId);
    if (!moved && !(await this.repo.findById(videoId))) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    if (moved) this.events.emit('video.published', { videoId });
  }

  /** State → TRANSCODING_FAILED unless a rendition already published it (viewers keep what works). */
  async markTranscodingFailed(videoId: number, message: string): Promise<void> {
    logger.warn({ videoId, message }, 'transcoding failed');
    await this.repo.markTranscodingFailed(videoId, message);
    this.events.emit('video.transcoding-failed', { videoId, message });
  }

  /**
   * A live video: no file yet, waiting for its stream (the live module owns the rest). The caller
   * has checked the channel.
   */
  async createLive(channelId: number, attrs: VideoCreate, transaction?: Transaction): Promise<VideoModel> {
    checkVideoAttributes(attrs);
    const uuid = randomUUID();
    return VideoModel.create(
      {
        uuid,
        url: `${this.config.webserverUrl}/videos/watch/${uuid}`,
        channelId,
        privacy: attrs.privacy ?? VideoPrivacy.PUBLIC,
        ...attributeColumns(attrs),
        isLive: true,
        waitTranscoding: false,
        state: VideoState.WAITING_FOR_LIVE,
        publishedAt: new Date(),
      },
      { transaction },
    );
  }

  /** The live module moves its videos between waiting (4), published (1) and ended (5), or turns one into a VOD. */
  async setLiveState(videoId: number, values: { state: number; isLive?: boolean; duration?: number }): Promise<void> {
    await VideoModel.update(values, { where: { id: videoId } });
  }

  /** Removes the rows (cascading to files, playlists, thumbnails, rates) then every file on disk. */
  async delete(video: VideoModel, byUserId?: number): Promise<void> {
    const full = (await this.loadWithFiles(video.id)) ?? video;
    const { uuid, id } = full;
    const channel = full.VideoChannel;
    this.events.emit('video.deleted', {
      videoId: id,
      uuid,
      url: full.url,
      remote: full.remote,
      accountActorId: channel?.Account?.Actor?.id,
      accountActorUrl: channel?.Account?.Actor?.url,
      channelActorId: channel?.Actor?.id,
      name: full.name,
      ownerUserId: full.VideoChannel?.Account?.userId ?? null,
      byUserId,
      federated: full.state === 1 && (full.privacy === 1 || full.privacy === 2),
    });
    await full.destroy();
    await removeStoredVideoFiles(this.storage, full);
  }

  /** Bytes stored for a user's videos (all files), and those of videos created in the last 24 hours. */
  async quotaUsed(userId: number): Promise<VideoQuotaUsed> {
    const { total, daily } = await this.repo.bytesOfUser(userId);
    return { videoQuotaUsed: total, videoQuotaUsedDaily: daily };
  }

  /** Bytes a user may still store (the tighter of the total and daily quotas), null when neither applies. */
  async quotaLeft(userId: number): Promise<number | null> {
    const quotas = await this.repo.quotasOfUser(userId);
    if (!quotas || (quotas.total < 0 && quotas.daily < 0)) return null;
    const used = await this.quotaUsed(userId);
    const total = quotas.total >= 0 ? quotas.total - used.videoQuotaUsed : Infinity;
    const daily = quotas.daily >= 0 ? quotas.daily - used.videoQuotaUsedDaily : Infinity;
    return Math.max(0, Math.min(total, daily));
  }

  /** 413 `quota_reached` when `extra` more bytes would exceed the user's total or daily quota. */
  async assertQuota(user: AuthUser, extra: number): Promise<void> {
    if (user.videoQuota < 0 && user.videoQuotaDaily < 0) return;
    const used = await this.quotaUsed(user.id);
    const over =
      (user.videoQuota >= 0 && used.videoQuotaUsed + extra > user.videoQuota) ||
      (user.videoQuotaDaily >= 0 && used.videoQuotaUsedDaily + extra > user.videoQuotaDaily);
    if (over) throw new AppError(413, ErrorCode.QUOTA_REACHED, 'The user video quota is exceeded with this video');
  }

  /** 413 `max_file_size_reached` (with X-File-Maximum-Size) above `uploads.max_file_size`. */
  assertFileSize(size: number): void {
    const max = this.config.uploads.max_file_size;
    if (size > max) {
      throw new AppError(413, ErrorCode.MAX_FILE_SIZE_REACHED, `The file is larger than the maximum of ${max} bytes`, {
        headers: { 'X-File-Maximum-Size': String(max) },
      });
    }
  }
}
