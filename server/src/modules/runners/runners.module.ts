import { Module } from '@nestjs/common';
import { RunnerAvailabilityController } from './runner-availability.controller';
import { RunnerAvailabilityService } from './runner-availability.service';
import { RunnerJobFilesController } from './runner-job-files.controller';
import { RunnerJobHandlers } from './runner-job-handlers';
import { RunnerJobRepository } from './runner-job.repository';
import { RunnerJobsAdminService } from './runner-jobs-admin.service';
import { RunnerJobsWatchdogService } from './runner-jobs-watchdog.service';
import { RunnerJobsService } from './runner-jobs.service';
import { RunnerProtocolController } from './runner-protocol.controller';
import { RunnerUploadInterceptor } from './runner-upload.interceptor';
import { RunnersAdminController } from './runners-admin.controller';
import { RunnersSocketService } from './runners-socket.service';
import { RunnerRepository } from './runner.repository';
import { RunnersService } from './runners.service';

/**
 * PeerTube's runner protocol, server side: registration, the job state machine, input downloads,
 * result uploads, the `/runners` socket and the stall watchdog. Which jobs exist and what their
 * results mean belongs to the features that create them (transcoding), through RunnerJobHandlers.
 */
@Module({
  // The protocol controller comes before the admin one: `/runners/:id` must not shadow `/runners/register`.
  controllers: [RunnerProtocolController, RunnerJobFilesController, RunnerAvailabilityController, RunnersAdminController],
  providers: [
    RunnersService,
    RunnerRepository,
    RunnerJobRepository,
    RunnerJobsService,
    RunnerJobsAdminService,
    RunnerJobHandlers,
    RunnersSocketService,
    RunnerJobsWatchdogService,
    RunnerUploadInterceptor,
    RunnerAvailabilityService,
  ],
  exports: [RunnersService, RunnerJobsService, RunnerJobHandlers, RunnersSocketService],
})
export class RunnersModule {}
