import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  blacklistVideoSchema,
  listBlacklistQuery,
  text,
  type BlacklistVideo,
  type ListBlacklistQuery,
  type ResultList,
  type VideoBlacklistEntry,
} from '@flotilla/shared';
import { z } from 'zod';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { VideoBlacklistService } from './video-blacklist.service';

const videoIdParam = z.object({ id: text().min(1).max(64) });

/**
 * PeerTube's `/api/v1/videos/blacklist` and `/api/v1/videos/{id}/blacklist` (moderators). Registered
 * before the videos controller (app module order): `/videos/blacklist` is not a video id.
 */
@Controller('api/v1/videos')
export class VideoBlacklistController {
  constructor(private readonly blacklist: VideoBlacklistService) {}

  @Get('blacklist')
  @Authenticated(UserRight.MANAGE_VIDEO_BLACKLIST)
  list(@Query(zod(listBlacklistQuery)) q: ListBlacklistQuery): Promise<ResultList<VideoBlacklistEntry>> {
    return this.blacklist.list(q);
  }

  @Post(':id/blacklist')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_VIDEO_BLACKLIST)
  async hide(@Param(zod(videoIdParam)) p: { id: string }, @Body(zod(blacklistVideoSchema)) body: BlacklistVideo): Promise<void> {
    await this.blacklist.hide(p.id, body);
  }

  @Put(':id/blacklist')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_VIDEO_BLACKLIST)
  async update(@Param(zod(videoIdParam)) p: { id: string }, @Body(zod(blacklistVideoSchema)) body: BlacklistVideo): Promise<void> {
    await this.blacklist.updateReason(p.id, body.reason);
  }

  @Delete(':id/blacklist')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_VIDEO_BLACKLIST)
  async unhide(@Param(zod(videoIdParam)) p: { id: string }): Promise<void> {
    await this.blacklist.unhide(p.id);
  }
}
