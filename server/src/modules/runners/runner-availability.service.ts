import { Inject, Injectable } from '@nestjs/common';
import type { TranscodingAvailability } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobRepository } from './runner-job.repository';
import { RunnerRepository } from './runner.repository';
import { RunnersSocketService } from './runners-socket.service';
import { EMBEDDED_TOKEN_PREFIX } from './runners.service';


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
    // The embedded runner is the one registered with its own token (a remote runner may share its name).
    const embedded = await this.runners.findByRegistrationTokenPrefix(EMBEDDED_TOKEN_PREFIX);
    const embeddedRunning = !!embedded && online.some((r) => r.id === embedded.id);
    let reason: string | null = null;
    if (pendingJobs > 0 && online.length === 0) {
      const what = `${pendingJobs} transcoding job${pendingJobs === 1 ? '' : 's'} wait${pendingJobs === 1 ? 's' : ''} for a runner, and no runner is connected.`;
      if (!embeddedEnabled) {
        reason = `${what} The embedded runner is off (runners.embedded.enabled) and no remote runner answers: an administrator must register one on the runners page.`;
      } else if (!embedded) {
        reason = `${what} The embedded runner is not registered: it is recreated when the server restarts.`;
      } else {
        reason = `${what} The embedded runner is not answering (it restarts by itself; the server log says why).`;
      }
    }
    return { pendingJobs, runnersOnline: online.length, embedded: { enabled: embeddedEnabled, running: embeddedRunning }, reason };
  }
}
