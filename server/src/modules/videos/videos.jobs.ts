import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import Queue from 'bull';
import IORedis from 'ioredis';
import { logger } from '../../common/logger';
import { redisKey, redisOptions } from '../../common/redis';
import type { Sequelize } from 'sequelize';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ResumableUploadsService } from './resumable-uploads.service';
import { sweepOrphanFiles } from '../media-files/storage-sweep';
import { VideoViewsService, VIEWS_FLUSH_MS } from './video-views.service';

/** The videos module's housekeeping queue: repeatable, idempotent jobs, one run per interval for all processes. */
export const VIDEOS_HOUSEKEEPING_QUEUE = 'videos-housekeeping';
const JOBS = {
  flushViews: 'flush-views',
  sweepUploads: 'sweep-uploads',
  sweepOrphans: 'sweep-orphan-files',
} as const;

@Injectable()
export class VideosJobs implements OnModuleInit, OnModuleDestroy {
  private queue: Queue.Queue | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly views: VideoViewsService,
    private readonly uploads: ResumableUploadsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const base = redisOptions(this.config);
    const queue = new Queue(VIDEOS_HOUSEKEEPING_QUEUE, {
      prefix: redisKey(this.config, 'bull'),
      // bull's blocking and subscriber connections must retry forever (bull refuses them otherwise).
      createClient: (type) =>
        new IORedis(type === 'client' ? base : { ...base, maxRetriesPerRequest: null, enableReadyCheck: false }),
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 100, attempts: 1 },
    });
    this.queue = queue;
    queue.on('error', (err) => logger.error({ err }, 'videos housekeeping queue error'));
    queue.on('failed', (job, err) => logger.warn({ err, job: job.name }, 'videos housekeeping job failed'));
    void queue.process(JOBS.flushViews, 1, () => this.views.flush());
    void queue.process(JOBS.sweepUploads, 1, () => this.uploads.sweep());
    void queue.process(JOBS.sweepOrphans, 1, () => sweepOrphanFiles(this.config, this.sequelize));
    // Adding a repeatable job that exists already is a no-op: every process may do it at boot.
    const sweepEvery = Math.min(Math.max(Math.floor(this.config.uploads.resumable_expiration / 4), 1000), 10 * 60_000);
    await queue.add(JOBS.flushViews, {}, { repeat: { every: VIEWS_FLUSH_MS } });
    await queue.add(JOBS.sweepUploads, {}, { repeat: { every: sweepEvery } });
    await queue.add(JOBS.sweepOrphans, {}, { repeat: { every: sweepEvery } });
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
  }
}
