import { Inject, Injectable } from '@nestjs/common';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { defineJob, OnJob } from '../../platform/queues/job-definition';
import { ResumableUploadsService } from './resumable-uploads.service';
import { VideoRepository } from './video.repository';
import { sweepOrphanFiles } from '../media-files';
import { VideoViewsService, VIEWS_FLUSH_MS } from './video-views.service';

/** The videos module's housekeeping queue: repeatable, idempotent jobs, one run per interval for all processes. */
export const VIDEOS_HOUSEKEEPING_QUEUE = 'videos-housekeeping';

/** A quarter of the resumable-upload expiry, between 1 s and 10 min. */
const sweepEvery = (config: AppConfig) => Math.min(Math.max(Math.floor(config.uploads.resumable_expiration / 4), 1000), 10 * 60_000);
const noPayload = z.object({}).strict();

export const VIDEOS_JOBS = {
  flushViews: defineJob({ queue: VIDEOS_HOUSEKEEPING_QUEUE, name: 'flush-views', schema: noPayload, options: { repeat: { every: VIEWS_FLUSH_MS } } }),
  sweepUploads: defineJob({ queue: VIDEOS_HOUSEKEEPING_QUEUE, name: 'sweep-uploads', schema: noPayload, options: { repeat: { every: sweepEvery } } }),
  sweepOrphans: defineJob({ queue: VIDEOS_HOUSEKEEPING_QUEUE, name: 'sweep-orphan-files', schema: noPayload, options: { repeat: { every: sweepEvery } } }),
};

@Injectable()
export class VideosJobs {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly views: VideoViewsService,
    private readonly uploads: ResumableUploadsService,
    private readonly repo: VideoRepository,
  ) {}

  @OnJob(VIDEOS_JOBS.flushViews)
  flushViews(): Promise<unknown> {
    return this.views.flush();
  }

  @OnJob(VIDEOS_JOBS.sweepUploads)
  sweepUploads(): Promise<unknown> {
    return this.uploads.sweep();
  }

  @OnJob(VIDEOS_JOBS.sweepOrphans)
  sweepOrphans(): Promise<unknown> {
    return sweepOrphanFiles(this.config, this.sequelize, (uuids) => this.repo.existingUuids(uuids));
  }
}
