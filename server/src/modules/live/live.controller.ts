import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, UseInterceptors } from '@nestjs/common';
import short from 'short-uuid';
import {
  liveVideoCreateSchema,
  liveVideoUpdateSchema,
  text,
  type LiveVideo,
  type LiveVideoCreate,
  type LiveVideoSession,
  type LiveVideoUpdate,
  type ResultList,
  type VideoCreated,
} from '@flotilla/shared';
import { z } from 'zod';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated, OptionalAuth, type AuthContext } from '../auth';
import { VideoImagesInterceptor, type MultipartRequest } from '../videos';
import { LiveService } from './live.service';

const idParam = z.object({ id: text().min(1).max(64) });
type IdParam = z.infer<typeof idParam>;
const translator = short();

/**
 * PeerTube's live routes. Creation takes JSON or multipart (PeerTube's client sends multipart), with
 * `thumbnailfile` and `previewfile` as uploads and updates take them (streamed to the staging area,
 * 413 above the image limit, removed when the request ends).
 */
@Controller('api/v1/videos')
export class LiveController {
  constructor(private readonly live: LiveService) {}

  @Post('live')
  @HttpCode(200)
  @Authenticated()
  @UseInterceptors(VideoImagesInterceptor)
  async create(@Auth() auth: AuthContext, @Req() req: MultipartRequest, @Body(zod(liveVideoCreateSchema)) body: LiveVideoCreate): Promise<VideoCreated> {
    const video = await this.live.create(auth.user, body, {
      thumbnail: req.files?.thumbnailfile?.[0]?.path,
      preview: req.files?.previewfile?.[0]?.path,
    });
    return { video: { id: video.id, uuid: video.uuid, shortUUID: translator.fromUUID(video.uuid) } };
  }

  @Get('live/:id')
  @OptionalAuth()
  get(@Auth() auth: AuthContext | undefined, @Param(zod(idParam)) p: IdParam): Promise<LiveVideo> {
    return this.live.get(p.id, auth?.user);
  }

  @Put('live/:id')
  @HttpCode(204)
  @Authenticated()
  async update(@Auth() auth: AuthContext, @Param(zod(idParam)) p: IdParam, @Body(zod(liveVideoUpdateSchema)) body: LiveVideoUpdate): Promise<void> {
    await this.live.update(p.id, auth.user, body);
  }

  /** Flotilla: a new stream key. */
  @Post('live/:id/regenerate-stream-key')
  @HttpCode(200)
  @Authenticated()
  regenerate(@Auth() auth: AuthContext, @Param(zod(idParam)) p: IdParam): Promise<LiveVideo> {
    return this.live.regenerateKey(p.id, auth.user);
  }

  @Get('live/:id/sessions')
  @Authenticated()
  sessions(@Auth() auth: AuthContext, @Param(zod(idParam)) p: IdParam): Promise<ResultList<LiveVideoSession>> {
    return this.live.listSessions(p.id, auth.user);
  }

  @Get(':id/live-session')
  @OptionalAuth()
  replaySession(@Auth() auth: AuthContext | undefined, @Param(zod(idParam)) p: IdParam): Promise<LiveVideoSession> {
    return this.live.sessionOfReplay(p.id, auth?.user);
  }
}
