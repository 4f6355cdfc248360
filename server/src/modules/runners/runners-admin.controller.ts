import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { listRunnerJobsQuery, paginationQuery, type ListRunnerJobsQuery } from '@flotilla/shared';
import { idParam } from '../../common/params';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { RunnerJobsAdminService } from './runner-jobs-admin.service';
import { RunnerJobsService } from './runner-jobs.service';
import { jobUuidParam } from './runner-protocol.controller';
import { RunnersSocketService } from './runners-socket.service';
import { RunnersService, type ListQuery } from './runners.service';

/** Admin side of `/api/v1/runners` (OAuth + MANAGE_RUNNERS). */
@Controller('api/v1/runners')
export class RunnersAdminController {
  constructor(
    private readonly runners: RunnersService,
    private readonly jobs: RunnerJobsService,
    private readonly jobsAdmin: RunnerJobsAdminService,
    private readonly socket: RunnersSocketService,
  ) {}

  @Post('registration-tokens/generate')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async generateToken(): Promise<void> {
    await this.runners.generateRegistrationToken();
  }

  @Get('registration-tokens')
  @Authenticated(UserRight.MANAGE_RUNNERS)
  listTokens(@Query(zod(paginationQuery)) q: ListQuery) {
    return this.runners.listRegistrationTokens(q);
  }

  @Delete('registration-tokens/:id')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async deleteToken(@Param(zod(idParam)) p: { id: number }): Promise<void> {
    await this.runners.deleteRegistrationToken(p.id);
  }

  @Get()
  @Authenticated(UserRight.MANAGE_RUNNERS)
  listRunners(@Query(zod(paginationQuery)) q: ListQuery) {
    return this.runners.listRunners(q);
  }

  @Get('jobs')
  @Authenticated(UserRight.MANAGE_RUNNERS)
  listJobs(@Query(zod(listRunnerJobsQuery)) q: ListRunnerJobsQuery) {
    return this.jobsAdmin.list(q);
  }

  /** POST as PeerTube's client sends it; GET as its OpenAPI spec says. */
  @Post('jobs/:jobUUID/cancel')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async cancelJob(@Param(zod(jobUuidParam)) p: { jobUUID: string }): Promise<void> {
    await this.jobs.cancel(p.jobUUID);
  }

  @Get('jobs/:jobUUID/cancel')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async cancelJobGet(@Param(zod(jobUuidParam)) p: { jobUUID: string }): Promise<void> {
    await this.jobs.cancel(p.jobUUID);
  }

  @Delete('jobs/:jobUUID')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async deleteJob(@Param(zod(jobUuidParam)) p: { jobUUID: string }): Promise<void> {
    await this.jobs.delete(p.jobUUID);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_RUNNERS)
  async deleteRunner(@Param(zod(idParam)) p: { id: number }): Promise<void> {
    await this.runners.deleteRunner(p.id);
    this.socket.disconnectRunner(p.id);
  }
}
