import { Inject, Injectable } from '@nestjs/common';
import type { TranscodingAvailability } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobRepository } from './runner-job.repository';
import { RunnerRepository } from './runner.repository';
import { RunnersSocketService } from './runners-socket.service';

/** The embedded runner's row name (transcoding's EmbeddedRunnerService creates it). */
const EMBEDDED_NAME = 'embedded';

/**
 * Why transcoding waits, in words for the video's owner and the administrators: jobs pending while
 * no runner is connected or heard from recently (the embedded runner is off or down, no remote runner
 * registered). Null while some runner can take the jobs.
 */
@Injectable()
export class RunnerAvailabilityService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly runners: RunnerRepository,
    private readonly jobs: RunnerJobRepository,
    private readonly socket: RunnersSocketService,
  ) {}

  async availability(videoUUID?: string): Promise<TranscodingAvailability> {
    const pendingJobs = await this.jobs.countPending(videoUUID);
    const all = await this.runners.all();
    const connected = await this.socket.connectedAnywhere(all.map((r) => r.id));
    // A runner polling without a socket counts while its last contact is within the stall window.
    const recent = Date.now() - this.config.runners.stalled_jobs.vod;
    const online = all.filter((r) => connected.has(r.id) || new Date(r.lastContact).getTime() > recent);
    const embeddedEnabled = this.config.runners.embedded.enabled;
    const embeddedRunning = online.some((r) => r.name === EMBEDDED_NAME);
    let reason: string | null = null;
    if (pendingJobs > 0 && online.length === 0) {
      const what = `${pendingJobs} transcoding job${pendingJobs === 1 ? '' : 's'} wait${pendingJobs === 1 ? 's' : ''} for a runner, and no runner is connected.`;
      if (!embeddedEnabled) {
        reason = `${what} The embedded runner is off (runners.embedded.enabled) and no remote runner answers: an administrator must register one on the runners page.`;
      } else if (!all.some((r) => r.name === EMBEDDED_NAME)) {
        reason = `${what} The embedded runner is not registered: it is recreated when the server restarts.`;
      } else {
        reason = `${what} The embedded runner is not answering (it restarts by itself; the server log says why).`;
      }
    }
    return { pendingJobs, runnersOnline: online.length, embedded: { enabled: embeddedEnabled, running: embeddedRunning }, reason };
  }
}
