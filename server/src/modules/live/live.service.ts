import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import short from 'short-uuid';
import {
  ErrorCode,
  LiveVideoLatencyMode,
  VideoState,
  type LiveVideo,
  type LiveVideoCreate,
  type LiveVideoSession,
  type LiveVideoUpdate,
  type ResultList,
} from '@flotilla/shared';
import { AppError, badRequest, forbidden, notFound } from '../../common/app-error';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { ImageFilesService } from '../media-files/image-files.service';
import { ChannelsService } from '../channels/channels.service';
import type { AuthContext } from '../auth';
import { VideosService } from '../videos/videos.service';
import type { VideoLiveModel, VideoLiveSessionModel } from './live.model';
import { LiveRepository } from './live.repository';
import { LiveSessionsService } from './live-sessions.service';

const translator = short();

type UserModel = AuthContext['user'];
type VideoModel = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;

/** PeerTube's `POST/GET/PUT /api/v1/videos/live…` and the session lists. */
@Injectable()
export class LiveService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly repo: LiveRepository,
    private readonly videos: VideosService,
    private readonly channels: ChannelsService,
    private readonly sessions: LiveSessionsService,
    private readonly events: EventBus,
    private readonly images: ImageFilesService,
  ) {}

  private checkSettings(s: { saveReplay?: boolean; permanentLive?: boolean; latencyMode?: number }): void {
    if (s.saveReplay && !this.config.live.allow_replay) throw forbidden('Saving live replay is not enabled on this instance', ErrorCode.LIVE_NOT_ALLOWING_REPLAY);
    if (s.latencyMode !== undefined && s.latencyMode !== LiveVideoLatencyMode.DEFAULT && !this.config.live.latency_setting.enabled) {
      throw forbidden('Custom latency mode is not allowed by this instance', ErrorCode.FORBIDDEN);
    }
  }

  /** `images`: uploaded `thumbnailfile` / `previewfile` (staged); one that is not an image refuses the whole creation (400). */
  async create(user: UserModel, body: LiveVideoCreate, images: { thumbnail?: string; preview?: string }): Promise<VideoModel> {
    if (!this.config.live.enabled) throw forbidden('Live is not enabled on this instance', ErrorCode.LIVE_NOT_ENABLED);
    this.checkSettings(body);
    // Permanent lives may save replays (one replay video per session, as PeerTube 5+): no
    // live_conflicting_permanent_and_save_replay refusal.
    const channel = await this.channels.findById(body.channelId);
    if (!channel) throw new AppError(400, ErrorCode.CHANNEL_NOT_FOUND, `Video channel ${body.channelId} not found`);
    this.channels.assertCanManage(channel, user);
    const { max_instance_lives: maxInstance, max_user_lives: maxUser } = this.config.live;
    // As PeerTube: every local live not ended (waiting ones too) counts against the creation limits.
    if (maxInstance >= 0 && (await this.repo.countNotEndedLives()) >= maxInstance) {
      throw forbidden('Cannot create this live because the max instance lives limit is reached.', ErrorCode.MAX_INSTANCE_LIVES_LIMIT_REACHED);
    }
    if (maxUser >= 0 && (await this.repo.countNotEndedLives(user.id)) >= maxUser) {
      throw forbidden('Cannot create this live because the max user lives limit is reached.', ErrorCode.MAX_USER_LIVES_LIMIT_REACHED);
    }
    const video = await this.sequelize.transaction(async (transaction) => {
      const video = await this.videos.createLive(channel.id, body, transaction);
      await this.repo.create(
        {
          videoId: video.id,
          streamKey: randomUUID(),
          saveReplay: body.saveReplay ?? false,
          permanentLive: body.permanentLive ?? false,
          latencyMode: body.latencyMode ?? LiveVideoLatencyMode.DEFAULT,
          replayPrivacy: body.saveReplay ? (body.replaySettings?.privacy ?? video.privacy) : null,
        },
        transaction,
      );
      // The uploaded pictures, placeholders for those not given (lists, and the Video object's
      // required icon): in the transaction, so a refused image leaves no live behind.
      await this.images.makeImagesWithoutFrames(video, images, transaction);
      return video;
    });
    this.events.emit('video.live-created', { videoId: video.id });
    return video;
  }

  /** The live of a video id/uuid; 404 when unknown or not a live. */
  async load(idOrUuid: string): Promise<{ video: VideoModel; live: VideoLiveModel }> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    const live = await this.repo.byVideoId(video.id);
    if (!live) throw notFound('This video is not a live', ErrorCode.NOT_A_LIVE);
    return { video, live };
  }

  format(live: VideoLiveModel, canManage: boolean): LiveVideo {
    const host = this.config.live.rtmp.public_hostname ?? this.config.webserver.hostname;
    const { rtmp, rtmps } = this.config.live;
    const rtmpUrl = rtmp.enabled ? `rtmp://${host}:${rtmp.port}/live` : null;
    const rtmpsUrl = rtmp.enabled && rtmps.enabled ? `rtmps://${rtmps.public_hostname ?? this.config.webserver.hostname}:${rtmps.port}/live` : null;
    return {
      rtmpUrl: canManage ? rtmpUrl : null,
      rtmpsUrl: canManage ? rtmpsUrl : null,
      ...(canManage ? { streamKey: live.streamKey } : {}),
      saveReplay: live.saveReplay,
      replaySettings: live.saveReplay ? { privacy: live.replayPrivacy ?? 1 } : null,
      permanentLive: live.permanentLive,
      latencyMode: live.latencyMode as LiveVideoLatencyMode,
    };
  }

  async get(idOrUuid: string, user: UserModel | undefined): Promise<LiveVideo> {
    const { video, live } = await this.load(idOrUuid);
    this.videos.assertCanSee(video, user);
    return this.format(live, this.canManage(video, user));
  }

  canManage(video: VideoModel, user: UserModel | undefined): boolean {
    if (!user) return false;
    try {
      this.videos.assertCanManage(video, user);
      return true;
    } catch {
      return false;
    }
  }

  async update(idOrUuid: string, user: UserModel, body: LiveVideoUpdate): Promise<void> {
    const { video, live } = await this.load(idOrUuid);
    this.videos.assertCanManage(video, user);
    this.checkSettings(body);
    if (video.state !== VideoState.WAITING_FOR_LIVE || this.sessions.isOn(video.id)) {
      throw badRequest(ErrorCode.LIVE_ALREADY_STARTED, 'Cannot update a live that has already started');
    }
    const saveReplay = body.saveReplay ?? live.saveReplay;
    await this.repo.update(live, {
      saveReplay,
      permanentLive: body.permanentLive ?? live.permanentLive,
      latencyMode: body.latencyMode ?? live.latencyMode,
      replayPrivacy: saveReplay ? (body.replaySettings?.privacy ?? live.replayPrivacy ?? video.privacy) : null,
    });
  }

  /** Flotilla: a new stream key (the old one stops working); refused while a session is on. */
  async regenerateKey(idOrUuid: string, user: UserModel): Promise<LiveVideo> {
    const { video, live } = await this.load(idOrUuid);
    this.videos.assertCanManage(video, user);
    if (this.sessions.isOn(video.id)) throw new AppError(409, ErrorCode.LIVE_ALREADY_STARTED, 'The live is broadcasting: stop it before changing its key');
    await this.repo.update(live, { streamKey: randomUUID() });
    return this.format(live, true);
  }

  private async formatSession(s: VideoLiveSessionModel): Promise<LiveVideoSession> {
    let replayVideo: LiveVideoSession['replayVideo'] = null;
    if (s.replayVideoId) {
      const replay = await this.videos.loadWithFiles(s.replayVideoId);
      if (replay) replayVideo = { id: replay.id, uuid: replay.uuid, shortUUID: translator.fromUUID(replay.uuid) };
    }
    return {
      id: s.id,
      startDate: s.startDate.toISOString(),
      endDate: s.endDate?.toISOString() ?? null,
      error: (s.error ?? null) as LiveVideoSession['error'],
      saveReplay: s.saveReplay,
      endingProcessed: s.endingProcessed,
      replayVideo,
    };
  }

  /** `GET /videos/live/:id/sessions`: the owner (or a moderator) only, as PeerTube. */
  async listSessions(idOrUuid: string, user: UserModel): Promise<ResultList<LiveVideoSession>> {
    const { video } = await this.load(idOrUuid);
    this.videos.assertCanManage(video, user);
    const { rows, count } = await this.repo.sessionsOf(video.id);
    return { total: count, data: await Promise.all(rows.map((s) => this.formatSession(s))) };
  }

  /** `GET /videos/:id/live-session`: the session a replay came from. */
  async sessionOfReplay(idOrUuid: string, user: UserModel | undefined): Promise<LiveVideoSession> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    this.videos.assertCanSee(video, user);
    const session = await this.repo.sessionOfReplay(video.id);
    if (!session) throw notFound('No live session found for this replay', ErrorCode.NOT_FOUND);
    return this.formatSession(session);
  }
}
