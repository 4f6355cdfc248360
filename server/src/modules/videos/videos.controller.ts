import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import {
  addViewSchema,
  ErrorCode,
  rateVideoSchema,
  VIDEO_CATEGORIES,
  VIDEO_LANGUAGES,
  VIDEO_LICENCES,
  VIDEO_PRIVACY_LABELS,
  videoCreateSchema,
  videoListQuery,
  videoUpdateSchema,
  type AddView,
  type RateVideo,
  type ResultList,
  type Video,
  type VideoCreate,
  type VideoCreated,
  type VideoDetails,
  type VideoFileToken,
  type VideoListQuery,
  type VideoUpdate,
  text,
} from '@flotilla/shared';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { EventBus } from '../../platform/events/event-bus.service';
import { Auth, Authenticated, OptionalAuth } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { AccountsService } from '../users/accounts.service';
import { canManageVideo, toShortUuid } from './video-access';
import { VideoFileTokensService } from './video-file-tokens.service';
import { VideoFormatterService } from './video-formatter.service';
import { VideoIngestService } from './video-ingest.service';
import { VideoRatesService } from './video-rates.service';
import { VideoUpdateService } from './video-update.service';
import { VideoImagesInterceptor, VideoUploadInterceptor, type MultipartRequest } from './video-upload.interceptor';
import { VideoViewsService } from './video-views.service';
import { RemoteTrackersService } from './remote-trackers.service';
import { VideosService } from './videos.service';

const videoIdParam = z.object({ id: text().min(1).max(64) });
type VideoIdParam = z.infer<typeof videoIdParam>;

export const created = (video: { id: number; uuid: string }): VideoCreated => ({ video: { id: video.id, uuid: video.uuid, shortUUID: toShortUuid(video.uuid) } });

@Controller('api/v1/videos')
export class VideosController {
  constructor(
    private readonly videos: VideosService,
    private readonly formatter: VideoFormatterService,
    private readonly ingest: VideoIngestService,
    private readonly updates: VideoUpdateService,
    private readonly views: VideoViewsService,
    private readonly rates: VideoRatesService,
    private readonly accounts: AccountsService,
    private readonly fileTokens: VideoFileTokensService,
    private readonly events: EventBus,
    private readonly remoteTrackers: RemoteTrackersService,
  ) {}

  @Get()
  @OptionalAuth()
  list(@Auth() auth: AuthContext | undefined, @Query(zod(videoListQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    return this.videos.list(q, { user: auth?.user });
  }

  @Get('categories')
  categories() {
    return VIDEO_CATEGORIES;
  }

  @Get('licences')
  licences() {
    return VIDEO_LICENCES;
  }

  @Get('languages')
  languages() {
    return VIDEO_LANGUAGES;
  }

  @Get('privacies')
  privacies() {
    return VIDEO_PRIVACY_LABELS;
  }

  /** Legacy single-request upload, as PeerTube's CLI sends it. */
  @Post('upload')
  @HttpCode(200)
  @Authenticated()
  @UseInterceptors(VideoUploadInterceptor)
  async upload(@Auth() auth: AuthContext, @Req() req: MultipartRequest, @Body(zod(videoCreateSchema)) body: VideoCreate): Promise<VideoCreated> {
    const file = req.files?.videofile?.[0];
    if (!file) throw new AppError(400, ErrorCode.INVALID_PARAMS, 'videofile is required');
    const video = await this.ingest.ingest({
      user: auth.user,
      attrs: body,
      file: file.path,
      originalName: file.originalname,
      thumbnailFile: req.files?.thumbnailfile?.[0]?.path,
      previewFile: req.files?.previewfile?.[0]?.path,
    });
    return created(video);
  }

  @Get(':id')
  @OptionalAuth()
  async get(@Auth() auth: AuthContext | undefined, @Param(zod(videoIdParam)) p: VideoIdParam): Promise<VideoDetails> {
    const video = await this.videos.loadVisible(p.id, auth?.user);
    // A remote copy is refreshed from its origin in the background when stale (federation listens).
    if (video.remote) this.events.emit('video.remote-used', { videoId: video.id });
    const details = this.formatter.details(video);
    if (video.remote) details.trackerUrls = await this.remoteTrackers.of(video.id);
    details.views += await this.views.pending(video.id);
    if (canManageVideo(video, auth?.user)) {
      details.transcodingError = video.transcodingError;
      Object.assign(details, await this.videos.blacklistOf(video.id));
    }
    return details;
  }

  @Get(':id/description')
  @OptionalAuth()
  async description(@Auth() auth: AuthContext | undefined, @Param(zod(videoIdParam)) p: VideoIdParam) {
    const video = await this.videos.loadVisible(p.id, auth?.user);
    return { description: video.description };
  }

  @Put(':id')
  @HttpCode(204)
  @Authenticated()
  @UseInterceptors(VideoImagesInterceptor)
  async update(
    @Auth() auth: AuthContext,
    @Param(zod(videoIdParam)) p: VideoIdParam,
    @Req() req: MultipartRequest,
    @Body(zod(videoUpdateSchema)) body: VideoUpdate,
  ): Promise<void> {
    const video = await this.videos.loadByIdentifier(p.id);
    this.videos.assertCanManage(video, auth.user);
    await this.updates.update(video, auth.user, body, {
      thumbnail: req.files?.thumbnailfile?.[0]?.path,
      preview: req.files?.previewfile?.[0]?.path,
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  async delete(@Auth() auth: AuthContext, @Param(zod(videoIdParam)) p: VideoIdParam): Promise<void> {
    const video = await this.videos.loadByIdentifier(p.id);
    this.videos.assertCanManage(video, auth.user);
    await this.videos.delete(video, auth.user.id);
  }

  @Post(':id/views')
  @HttpCode(204)
  @OptionalAuth()
  async view(
    @Auth() auth: AuthContext | undefined,
    @Param(zod(videoIdParam)) p: VideoIdParam,
    @Req() req: MultipartRequest,
    @Body(zod(addViewSchema)) body: AddView,
  ): Promise<void> {
    const video = await this.videos.loadVisible(p.id, auth?.user);
    await this.views.addView(video.id, body.sessionId ? `s:${body.sessionId}` : `ip:${req.ip}`);
  }

  @Put(':id/rate')
  @HttpCode(204)
  @Authenticated()
  async rate(@Auth() auth: AuthContext, @Param(zod(videoIdParam)) p: VideoIdParam, @Body(zod(rateVideoSchema)) body: RateVideo): Promise<void> {
    const video = await this.videos.loadVisible(p.id, auth.user);
    const account = await this.accounts.accountOfUser(auth.user.id);
    await this.rates.rate(video.id, account.id, body.rating);
  }

  /** A short-lived token to fetch private/internal files with `?videoFileToken=`. */
  @Post(':id/token')
  @HttpCode(200)
  @Authenticated()
  async token(@Auth() auth: AuthContext, @Param(zod(videoIdParam)) p: VideoIdParam): Promise<VideoFileToken> {
    const video = await this.videos.loadVisible(p.id, auth.user);
    return { files: await this.fileTokens.create(video.uuid, auth.user.id) };
  }
}
