import { Controller, Get, Param, Query } from '@nestjs/common';
import { jobListQuery, jobStateParam, type JobListQuery, type JobState } from '@flotilla/shared';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../../modules/auth';
import { JobsAdminService } from './jobs-admin.service';

/** PeerTube's `GET /api/v1/jobs/{state}` (admins): the server's queued jobs by state, newest first. */
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsAdminService) {}

  @Get()
  @Authenticated(UserRight.MANAGE_SERVER)
  listAll(@Query(zod(jobListQuery)) q: JobListQuery) {
    return this.jobs.list(undefined, q);
  }

  @Get(':state')
  @Authenticated(UserRight.MANAGE_SERVER)
  list(@Param(zod(jobStateParam)) p: { state?: JobState }, @Query(zod(jobListQuery)) q: JobListQuery) {
    return this.jobs.list(p.state, q);
  }
}
