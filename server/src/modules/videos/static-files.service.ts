import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { basename } from 'node:path';
import { ErrorCode } from '@flotilla/shared';
import { AppError, forbidden, notFound, unauthorized } from '../../common/app-error';
import { EventBus } from '../../platform/events/event-bus.service';
import { AuthService } from '../auth/auth.service';
import { VideoChannelModel } from '../channels';
import { AccountModel } from '../users';
import { UsersService } from '../users/users.service';
import type { AuthUser } from '../users/users.types';
import { hasRight, UserRight } from '../../common/rights';
import { isVideoOwner, videoAccess } from './video-access';
import { VideoRepository } from './video.repository';
import { VideoFileTokensService } from './video-file-tokens.service';
import { isSafeFilename, isUuid, needsFileToken, STORAGE_PROVIDER, type StorageArea, type StorageKey, type StorageProvider } from '../media-files';
import { VideoModel } from './video.model';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.webm': 'video/webm',
  '.json': 'application/json; charset=utf-8',
  '.torrent': 'application/x-bittorrent',
  '.jpg': 'image/jpeg',
};

/** Where a request's credentials come from on static paths: a bearer token or `?videoFileToken=`. */
export interface FileCredentials {
  authorization?: string;
  videoFileToken?: string;
}

/**
 * Serves files with ranges, explicit content types and cache headers, after checking the name (one
 * safe segment inside the folder) and, for video files, the video's privacy. Private and internal
 * videos' files are served only under the `private/` prefixes and only with valid credentials.
 */
@Injectable()
export class StaticFilesService {
  /**
   * Privacy and hidden state of videos by UUID for a few seconds: HLS players ask for a segment every
   * few seconds. This process forgets a video's entry as soon as its privacy or hidden state changes
   * here; another server process sharing the database serves it by the old state for at most those
   * few seconds.
   */
  private readonly privacyCache = new Map<string, { privacy: number; hidden: boolean; until: number }>();

  constructor(
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly auth: AuthService,
    private readonly fileTokens: VideoFileTokensService,
    private readonly users: UsersService,
    private readonly videos: VideoRepository,
    events: EventBus,
  ) {
    events.on('video.hidden-changed', ({ uuid }) => this.forget(uuid));
    events.on('video.privacy-changed', ({ uuid }) => this.forget(uuid));
  }

  /** The stored object `name` of an area, or a 400 when `name` is not one safe segment. */
  safeKey(area: StorageArea, name: string): StorageKey {
    if (!isSafeFilename(name)) throw new AppError(400, ErrorCode.BAD_REQUEST, 'Invalid file name');
    return { area, name };
  }

  assertUuid(uuid: string): string {
    if (!isUuid(uuid)) throw new AppError(400, ErrorCode.BAD_REQUEST, 'Invalid video UUID');
    return uuid.toLowerCase();
  }

  send(res: Response, key: StorageKey, cacheControl: string, opts: { download?: string } = {}): Promise<void> {
    return this.storage.withLocalFile(key, (file) => this.sendLocal(res, file, cacheControl, opts));
  }

  /** express' sendFile: ranges, conditional requests and HEAD as they should be. */
  private sendLocal(res: Response, file: string, cacheControl: string, opts: { download?: string }): Promise<void> {
    return new Promise((resolveSend, reject) => {
      const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
      res.setHeader('Cache-Control', cacheControl);
      if (opts.download) res.attachment(opts.download);
      res.sendFile(
        basename(file),
        {
          root: file.slice(0, file.length - basename(file).length),
          dotfiles: 'deny',
          cacheControl: false,
          acceptRanges: true,
          headers: CONTENT_TYPES[ext] ? { 'Content-Type': CONTENT_TYPES[ext] } : {},
        },
        (err?: Error & { status?: number; code?: string }) => {
          if (!err) return resolveSend();
          if (res.headersSent) return resolveSend();
          res.removeHeader('Cache-Control');
          res.removeHeader('Content-Disposition');
          if (err.code === 'ENOENT' || err.status === 404) return reject(notFound('File not found'));
          reject(err);
        },
      );
    });
  }

  async loadVideoByUuid(uuid: string): Promise<VideoModel> {
    const video = await VideoModel.findOne({ where: { uuid }, include: [{ model: VideoChannelModel, required: true, include: [AccountModel] }] });
    if (!video) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    return video;
  }

  async loadVideoById(id: number): Promise<VideoModel> {
    const video = await VideoModel.findByPk(id, { include: [{ model: VideoChannelModel, required: true, include: [AccountModel] }] });
    if (!video) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    return video;
  }

  /**
   * Public prefix: the video must not be private/internal (its files are under `private/`). A hidden
   * (blacklisted) video's files are treated as private ones, as PeerTube does: only its owner and
   * moderators get them, with a bearer token or a video file token. Returns true when the file is
   * such a hidden one (then no shared cache may keep it).
   */
  async assertPublicFile(uuid: string, creds: FileCredentials = {}): Promise<boolean> {
    const cached = this.privacyCache.get(uuid);
    let state = cached && cached.until > Date.now() ? cached : null;
    if (state === null) {
      const video = await VideoModel.findOne({ where: { uuid }, attributes: ['id', 'privacy'] });
      if (!video) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
      const hidden = (await this.videos.blacklistReason(video.id)) !== undefined;
      if (this.privacyCache.size > 10_000) this.privacyCache.clear();
      state = { privacy: video.privacy, hidden, until: Date.now() + 5_000 };
      this.privacyCache.set(uuid, state);
    }
    if (needsFileToken(state.privacy)) throw forbidden('This file is only served with a token under the private path', ErrorCode.VIDEO_NOT_ACCESSIBLE);
    if (state.hidden) {
      const video = await this.loadVideoByUuid(uuid);
      const user = await this.userFromCredentials(video, creds);
      if (!user) throw unauthorized('This video is hidden: a bearer token or a videoFileToken of its owner or a moderator is required', ErrorCode.VIDEO_FILE_TOKEN_INVALID);
      if (!isVideoOwner(video, user) && !hasRight(user.role, UserRight.SEE_ALL_VIDEOS)) {
        throw forbidden('This video is hidden by a moderator', ErrorCode.VIDEO_BLACKLISTED);
      }
    }
    return state.hidden;
  }

  /** Private prefix: a bearer token or a video file token of a user who may see the video. */
  async assertPrivateFile(video: VideoModel, creds: FileCredentials): Promise<void> {
    const user = await this.userFromCredentials(video, creds);
    if (!user) throw unauthorized('A bearer token or a videoFileToken is required for this file', ErrorCode.VIDEO_FILE_TOKEN_INVALID);
    if (videoAccess(video, user) !== 'ok') throw forbidden('You cannot see this video', ErrorCode.VIDEO_NOT_ACCESSIBLE);
  }

  async userFromCredentials(video: VideoModel, creds: FileCredentials): Promise<AuthUser | null> {
    if (creds.videoFileToken) {
      const userId = await this.fileTokens.check(creds.videoFileToken, video.uuid);
      if (userId === null) return null;
      return this.users.findAuthUser(userId);
    }
    const m = creds.authorization ? /^Bearer\s+(\S+)$/i.exec(creds.authorization) : null;
    if (!m) return null;
    try {
      return (await this.auth.authenticate(m[1])).user;
    } catch {
      return null;
    }
  }

  private forget(uuid: string): void {
    this.privacyCache.delete(uuid);
  }

  webVideoKey(name: string): StorageKey {
    return this.safeKey('web-videos', name);
  }

  hlsKey(uuid: string, name: string): StorageKey {
    this.safeKey('hls', name);
    return { area: 'hls', name: `${this.assertUuid(uuid)}/${name}` };
  }
}
