import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { paginationQuery, text } from '@flotilla/shared';
import { idParam } from '../../common/params';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth/auth.guard';
import { RunnerJobsAdminService, type ListRunnerJobsQuery } from './runner-jobs-admin.service';
import { RunnerJobsService } from './runner-jobs.service';
import { jobUuidParam } from './runner-protocol.controller';
import { RunnersSocketService } from './runners-socket.service';
import { RunnersService, type ListQuery } from './runners.service';

/** `x`, `x[]`, repeated or comma-less: PeerTube's clients send `stateOneOf[]=1&stateOneOf[]=2`. */
const oneOf = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]), z.array(item).max(20).optional());
const looseState = z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number().int().min(1).max(9));
/**
 * Any job type name, not only the ones Flotilla creates: a PeerTube admin client may filter on
 * `video-studio-transcoding` or `video-transcription`, which simply match no job here.
 */
const jobTypeName = text().regex(/^[a-z0-9-]{1,50}$/);

const listJobsQuery = paginationQuery
  .extend({
    search: text().max(200).optional(),
    stateOneOf: oneOf(looseState),
    'stateOneOf[]': oneOf(looseState),
    typeOneOf: oneOf(jobTypeName),
    'typeOneOf[]': oneOf(jobTypeName),
  })
  .transform(
    (q): ListRunnerJobsQuery => ({
      start: q.start,
      count: q.count,
      sort: q.sort,
      search: q.search || undefined,
      stateOneOf: [...(q.stateOneOf ?? []), ...(q['stateOneOf[]'] ?? [])],
      typeOneOf: [...(q.typeOneOf ?? []), ...(q['typeOneOf[]'] ?? [])],
    }),
  );

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
  listJobs(@Query(zod(listJobsQuery)) q: ListRunnerJobsQuery) {
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
