import { Body, Controller, HttpCode, Param, Post, Req, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import {
  abortRunnerJobBodySchema,
  acceptRunnerJobBodySchema,
  errorRunnerJobBodySchema,
  registerRunnerBodySchema,
  requestRunnerJobBodySchema,
  successRunnerJobBodySchema,
  unregisterRunnerBodySchema,
  updateRunnerJobBodySchema,
  type AbortRunnerJobBody,
  type AcceptRunnerJobBody,
  type ErrorRunnerJobBody,
  type RegisterRunnerBody,
  type RequestRunnerJobBody,
  type SuccessRunnerJobBody,
  type UnregisterRunnerBody,
  type UpdateRunnerJobBody,
  text,
} from '@flotilla/shared';
import { parseWith, zod } from '../../common/zod.pipe';
import { formatRunnerJob } from './runner-job-format';
import { RunnerJobsService } from './runner-jobs.service';
import { collectUploadedFiles, holdUploadedFiles, RunnerUploadInterceptor } from './runner-upload.interceptor';
import { RunnersSocketService } from './runners-socket.service';
import { RunnersService } from './runners.service';

export const jobUuidParam = z.object({ jobUUID: text().min(1).max(100) });
type JobUuidParam = z.infer<typeof jobUuidParam>;

const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * The routes a runner calls (PeerTube's runner protocol): all POST, authenticated by the
 * `runnerToken` (and `jobToken`) in the body, JSON or multipart.
 */
@Controller('api/v1/runners')
export class RunnerProtocolController {
  constructor(
    private readonly runners: RunnersService,
    private readonly jobs: RunnerJobsService,
    private readonly socket: RunnersSocketService,
  ) {}

  @Post('register')
  @HttpCode(200)
  register(@Body(zod(registerRunnerBodySchema)) body: RegisterRunnerBody, @Req() req: Request) {
    return this.runners.register(body, clientIp(req));
  }

  @Post('unregister')
  @HttpCode(204)
  async unregister(@Body(zod(unregisterRunnerBodySchema)) body: UnregisterRunnerBody, @Req() req: Request): Promise<void> {
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    await this.runners.unregister(runner);
    this.socket.disconnectRunner(runner.id);
  }

  @Post('jobs/request')
  @HttpCode(200)
  async request(@Body(zod(requestRunnerJobBodySchema)) body: RequestRunnerJobBody, @Req() req: Request) {
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req), body.version);
    return { availableJobs: await this.jobs.listAvailable(body.jobTypes, { embedded: this.runners.isEmbedded(runner) }) };
  }

  @Post('jobs/:jobUUID/accept')
  @HttpCode(200)
  async accept(@Param(zod(jobUuidParam)) p: JobUuidParam, @Body(zod(acceptRunnerJobBodySchema)) body: AcceptRunnerJobBody, @Req() req: Request) {
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    const { job, jobToken } = await this.jobs.accept(runner, p.jobUUID, { embedded: this.runners.isEmbedded(runner) });
    return { job: { ...formatRunnerJob(job), jobToken } };
  }

  @Post('jobs/:jobUUID/abort')
  @HttpCode(204)
  async abort(@Param(zod(jobUuidParam)) p: JobUuidParam, @Body(zod(abortRunnerJobBodySchema)) body: AbortRunnerJobBody, @Req() req: Request) {
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    await this.jobs.abort(runner, p.jobUUID, body.jobToken, body.reason);
  }

  /** JSON (VOD heartbeat) or multipart (live chunks). */
  @Post('jobs/:jobUUID/update')
  @HttpCode(204)
  @UseInterceptors(RunnerUploadInterceptor)
  async update(@Param(zod(jobUuidParam)) p: JobUuidParam, @Req() req: Request) {
    const body: UpdateRunnerJobBody = parseWith(updateRunnerJobBodySchema, req.body, 'body');
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    await this.jobs.update(runner, p.jobUUID, body.jobToken, body.progress, { payload: body.payload, files: collectUploadedFiles(req) });
  }

  @Post('jobs/:jobUUID/error')
  @HttpCode(204)
  async error(@Param(zod(jobUuidParam)) p: JobUuidParam, @Body(zod(errorRunnerJobBodySchema)) body: ErrorRunnerJobBody, @Req() req: Request) {
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    await this.jobs.error(runner, p.jobUUID, body.jobToken, body.message);
  }

  @Post('jobs/:jobUUID/success')
  @HttpCode(204)
  @UseInterceptors(RunnerUploadInterceptor)
  async success(@Param(zod(jobUuidParam)) p: JobUuidParam, @Req() req: Request) {
    const body: SuccessRunnerJobBody = parseWith(successRunnerJobBodySchema, req.body, 'body');
    const runner = await this.runners.authenticate(body.runnerToken, clientIp(req));
    const { completion } = await this.jobs.success(runner, p.jobUUID, body.jobToken, collectUploadedFiles(req));
    // Answered maybe before the result is stored: the uploaded files stay until it is.
    holdUploadedFiles(req, completion);
  }
}
