import { logger } from '../../common/logger';
import type { RunnerJobsService } from '../runners/runner-jobs.service';
import type { ActiveLive } from './live-session';

export const RUNNER_GONE_MESSAGE = 'Runner gone: it left the runners socket and its RTMP pull closed';
/** How often the lives' pulls are looked at. */
const CHECK_MS = 250;
/** A live with no puller for this long while its job is processing has lost its transcoder. */
const NO_PULLER_MS = 250;

/**
 * Notices at once that the runner holding a live died, instead of waiting out the silence window
 * of the stall watchdog: the runner's ffmpeg pulls the stream from this process's RTMP server, so
 * a live whose job already sent chunks but that nobody pulls any more has lost its transcoder. The
 * job is failed (and the live handed to another runner) only if its runner has also left the
 * `/runners` socket — a runner that is still there (a PeerTube runner whose ffmpeg stopped) reports
 * its failure itself, and a live runner is never declared dead for its update cadence.
 */
export class LiveRunnerWatch {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Session id → since when its stream has had no puller. */
  private readonly unpulledSince = new Map<number, number>();

  constructor(
    private readonly lives: () => Iterable<ActiveLive>,
    private readonly jobs: RunnerJobsService,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = Date.now();
      const watched = new Set<number>();
      for (const entry of this.lives()) {
        const publisher = entry.publisher;
        if (entry.ended || entry.jobDone || !entry.jobUuid || !publisher || entry.chunksThisJob === 0 || publisher.pullers() > 0) continue;
        watched.add(entry.sessionId);
        const since = this.unpulledSince.get(entry.sessionId) ?? now;
        this.unpulledSince.set(entry.sessionId, since);
        if (now - since < NO_PULLER_MS) continue;
        // Asked again after another NO_PULLER_MS if the runner is still on the socket.
        this.unpulledSince.set(entry.sessionId, now);
        const job = entry.jobUuid;
        const failed = await this.jobs.failIfRunnerGone(job, RUNNER_GONE_MESSAGE);
        if (failed) logger.warn({ video: entry.videoUuid, job, unpulledMs: now - since }, 'live runner gone (socket and RTMP pull closed)');
      }
      for (const id of [...this.unpulledSince.keys()]) if (!watched.has(id)) this.unpulledSince.delete(id);
    } catch (err) {
      logger.warn({ err }, 'live runner watch failed');
    } finally {
      this.running = false;
    }
  }
}
