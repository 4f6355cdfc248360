import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, RunnerJobState, runnerJobFileDownloadBodySchema, type RunnerJobFileDownloadBody, text } from '@flotilla/shared';
import { forbidden, notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { regularFileInside } from '../media-files';
import { RunnerJobHandlers, type RunnerInputKind } from './runner-job-handlers';
import { RunnerJobsService } from './runner-jobs.service';
import { RunnersService } from './runners.service';
import { badRequest } from '../../common/app-error';

const fileParams = z.object({ jobUUID: text().min(1).max(100), videoId: text().min(1).max(100) });
type FileParams = z.infer<typeof fileParams>;

/**
 * Input downloads of a job (POST with `{ runnerToken, jobToken }`, answered 200 + bytes: the
 * official runner does not follow redirects). Only the job's own video, only while the runner
 * holds the job, and only files inside the folders the job's handler names.
 */
@Controller('api/v1/runners/jobs/:jobUUID/files/videos/:videoId')
export class RunnerJobFilesController {
  constructor(
    private readonly runners: RunnersService,
    private readonly jobs: RunnerJobsService,
    private readonly handlers: RunnerJobHandlers,
  ) {}

  @Post('max-quality')
  @HttpCode(200)
  maxQuality(@Param(zod(fileParams)) p: FileParams, @Body(zod(runnerJobFileDownloadBodySchema)) b: RunnerJobFileDownloadBody, @Req() req: Request, @Res() res: Response) {
    return this.serve(p, b, 'max-quality', req, res);
  }

  @Post('max-quality/audio')
  @HttpCode(200)
  maxQualityAudio(@Param(zod(fileParams)) p: FileParams, @Body(zod(runnerJobFileDownloadBodySchema)) b: RunnerJobFileDownloadBody, @Req() req: Request, @Res() res: Response) {
    return this.serve(p, b, 'max-quality-audio', req, res);
  }

  @Post('previews/max-quality')
  @HttpCode(200)
  preview(@Param(zod(fileParams)) p: FileParams, @Body(zod(runnerJobFileDownloadBodySchema)) b: RunnerJobFileDownloadBody, @Req() req: Request, @Res() res: Response) {
    return this.serve(p, b, 'preview', req, res);
  }

  private async serve(p: FileParams, body: RunnerJobFileDownloadBody, kind: RunnerInputKind, req: Request, res: Response) {
    const runner = await this.runners.authenticate(body.runnerToken, req.ip ?? 'unknown');
    const job = await this.jobs.findHeld(runner, p.jobUUID, body.jobToken);
    if (job.state !== RunnerJobState.PROCESSING) {
      throw badRequest(ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE, 'This job is not in processing state');
    }
    if ((job.privatePayload as { videoUUID?: string }).videoUUID !== p.videoId) {
      throw forbidden('This file does not belong to this job');
    }
    const handler = this.handlers.get(job.type);
    const path = await handler?.inputFile?.(job, kind);
    if (!path) throw notFound('No such input file for this job');
    const real = await regularFileInside(path, handler?.inputRoots?.() ?? []);
    if (!real) throw notFound('No such input file for this job');
    await new Promise<void>((resolve, reject) =>
      res.sendFile(real, { dotfiles: 'allow', cacheControl: false, lastModified: false }, (err) => (err ? reject(err) : resolve())),
    );
  }
}
