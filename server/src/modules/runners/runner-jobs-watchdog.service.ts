import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { logger } from '../../common/logger';
import { RunnerJobsService } from './runner-jobs.service';

/**
 * Periodic sweep of processing jobs whose runner went silent (no call within the stall window of
 * the job's type, see RunnerJobPolicy). Runs every half of the shortest window, so a stalled job
 * is back within 1.5 windows. Safe with several server processes: each move is a conditional UPDATE.
 */
@Injectable()
export class RunnerJobsWatchdogService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Runners get a whole window from here, whatever they last reported before a restart. */
  private since = new Date();

  constructor(private readonly jobs: RunnerJobsService) {}

  onApplicationBootstrap(): void {
    this.since = new Date();
    const every = Math.max(1000, this.jobs.shortestStallWindow() / 2);
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.jobs.sweepStalled(this.since);
    } catch (err) {
      logger.error({ err }, 'stalled runner job sweep failed');
    } finally {
      this.running = false;
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
