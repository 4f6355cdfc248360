import { Controller, Get, Query } from '@nestjs/common';
import { videosOverviewQuery, type VideosOverview } from '@flotilla/shared';
import type { z } from 'zod';
import { zod } from '../../common/zod.pipe';
import { Auth, OptionalAuth } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { VideoOverviewsService } from './video-overviews.service';

@Controller('api/v1/overviews')
export class OverviewsController {
  constructor(private readonly overviews: VideoOverviewsService) {}

  @Get('videos')
  @OptionalAuth()
  videos(@Auth() auth: AuthContext | undefined, @Query(zod(videosOverviewQuery)) q: z.infer<typeof videosOverviewQuery>): Promise<VideosOverview> {
    return this.overviews.overview(q.page ?? 1, auth?.user);
  }
}
