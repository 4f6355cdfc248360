import { ErrorCode, parseRunnerJobPayload, type RunnerJobType } from '@flotilla/shared';
import type { AcceptedRunnerJob, JobCredentials, RunnerClient } from '../client/runner-client';
import { RunnerApiError, hasErrorCode, isRetryableError } from '../client/errors';
import { withRetry } from '../client/backoff';
import { PROCESSORS, type FfmpegSettings, type JobPhase, type ProcessorContext, type ProcessorResult } from '../processors';
import { probeFile } from '../processors/ffmpeg';
import type { Reporter } from '../ui/reporter';
import type { InputCache, InputLease } from '../workspace/input-cache';
import { Workspace } from '../workspace/workspace';

export interface JobExecutionOptions {
  client: RunnerClient;
  runnerToken: string;
  job: AcceptedRunnerJob;
  workDir: string;
  ffmpeg: FfmpegSettings;
  reporter: Reporter;
  /** Heartbeat period; PeerTube's watchdog aborts VOD jobs silent for 2 minutes. */
  progressIntervalMs: number;
  /** How long to keep retrying downloads and the final result while a server is away. */
  retryMaxElapsedMs: number;
  /** Inputs shared with the other jobs of the same video (one download per video, not per rung). */
  inputCache?: InputCache;
}

export type JobOutcome = 'completed' | 'errored' | 'aborted' | 'lost';

/** Raised inside a job when the daemon stops it; the reason goes to the server's `abort`. */
class JobAbortedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'JobAbortedError';
  }
}

/**
 * One accepted job from start to end: work folder, heartbeat, processor, result upload with retries,
 * and exactly one final report (success, error, or abort), then cleanup.
 */
export class JobExecution {
  readonly uuid: string;
  readonly type: RunnerJobType;
  readonly done: Promise<JobOutcome>;
  private readonly controller = new AbortController();
  private readonly creds: JobCredentials;
  private progress: number | undefined;
  /** Set when the server told us the job is no longer ours (cancelled, reassigned). */
  private lostReason: string | null = null;
  private resolveStart!: () => void;
  /** Cached inputs this job reads; let go when it ends. */
  private readonly leases: InputLease[] = [];

  constructor(private readonly o: JobExecutionOptions) {
    this.uuid = o.job.uuid;
    this.type = o.job.type;
    this.creds = { runnerToken: o.runnerToken, jobToken: o.job.jobToken };
    this.done = new Promise<void>((r) => (this.resolveStart = r)).then(() => this.run());
  }

  start(): void {
    this.resolveStart();
  }

  /** Stops the job: ffmpeg is killed, the server gets `abort` with this reason (job back to pending). */
  abort(reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new JobAbortedError(reason));
  }

  private label(): string {
    const out = (this.o.job.payload as { output?: { resolution?: number } }).output;
    const short = this.type.replace(/-transcoding$/, '');
    return out?.resolution !== undefined ? `${short} ${out.resolution}p` : short;
  }

  private async run(): Promise<JobOutcome> {
    const { reporter } = this.o;
    reporter.jobStarted(this.uuid, this.label());
    let workspace: Workspace | null = null;
    // A live job's updates carry its chunks; PeerTube refuses a live update without a payload.
    const stopHeartbeat = this.type === 'live-rtmp-hls-transcoding' ? () => undefined : this.startHeartbeat();
    try {
      workspace = await Workspace.create(this.o.workDir, this.uuid);
      const result = await this.process(workspace);
      this.setPhase('uploading');
      await this.sendResult(result);
      reporter.jobEnded(this.uuid, 'completed');
      return 'completed';
    } catch (err) {
      return await this.reportFailure(err);
    } finally {
      stopHeartbeat();
      for (const lease of this.leases.splice(0)) lease.release();
      await workspace?.cleanup().catch((e: Error) => reporter.warn(`job ${this.uuid}: cleanup failed: ${e.message}`));
    }
  }

  private async process(workspace: Workspace): Promise<ProcessorResult> {
    const payload = parseRunnerJobPayload(this.type, this.o.job.payload);
    const signal = this.controller.signal;
    const ctx: ProcessorContext<RunnerJobType> = {
      jobUUID: this.uuid,
      payload,
      workspace,
      ffmpeg: this.o.ffmpeg,
      signal,
      download: async (url, name) => {
        const cache = this.o.inputCache;
        if (cache) {
          const lease = await this.retrying(`download ${name}`, () =>
            cache.acquire(url, (destination, etag) => this.o.client.downloadFile(url, this.creds, destination, signal, etag)),
          );
          if (lease) {
            this.leases.push(lease);
            if (lease.reused) ctx.log(`${name}: reusing the copy downloaded for an earlier job (unchanged on the server)`);
            return lease.path;
          }
        }
        const path = workspace.inputPath(name);
        await this.retrying(`download ${name}`, () => this.o.client.downloadFile(url, this.creds, path, signal));
        return path;
      },
      probe: (path, kind = 'media') => {
        if (kind === 'image') return probeFile(this.o.ffmpeg, path, signal, 'image');
        const lease = this.leases.find((l) => l.path === path);
        // A shared input is probed once, without this job's signal (another job may use the answer).
        return lease ? lease.probe(() => probeFile(this.o.ffmpeg, path)) : probeFile(this.o.ffmpeg, path, signal);
      },
      setPhase: (phase) => this.setPhase(phase),
      setProgress: (percent) => {
        this.progress = percent;
        this.o.reporter.jobProgress(this.uuid, percent);
      },
      log: (message) => this.o.reporter.info(`job ${this.uuid}: ${message}`),
      liveUpdate: (payload, files) => this.o.client.liveUpdateJob(this.uuid, this.creds, payload, files, signal),
    };
    return (PROCESSORS[this.type] as (c: ProcessorContext<RunnerJobType>) => Promise<ProcessorResult>)(ctx);
  }

  private setPhase(phase: JobPhase): void {
    this.o.reporter.jobPhase(this.uuid, phase);
  }

  /**
   * Custom uploads first, then `success` with the remaining files. Retried with back-off on network
   * errors and 5xx, so a server restarting meanwhile still gets the result when it is back.
   */
  private async sendResult(result: ProcessorResult): Promise<void> {
    const files: Record<string, string> = {};
    for (const [field, path] of Object.entries(result.files)) {
      const custom = result.customUploads?.[field];
      if (custom) {
        await this.retrying(`upload ${field}`, () => this.o.client.customUpload(custom, path, this.controller.signal));
      } else {
        files[field] = path;
      }
    }
    try {
      await this.retrying('success', () => this.o.client.successJob(this.uuid, this.creds, files, this.controller.signal));
    } catch (err) {
      // 404 here: the job was taken back (stalled, cancelled) while we worked; nothing more to say.
      if (isJobGoneError(err, true)) this.lostReason = `result refused: ${(err as Error).message}`;
      throw err;
    }
  }

  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      maxElapsedMs: this.o.retryMaxElapsedMs,
      signal: this.controller.signal,
      shouldRetry: isRetryableError,
      onRetry: (err, attempt, delay) =>
        this.o.reporter.warn(`job ${this.uuid}: ${what} failed (${(err as Error).message}); retry ${attempt} in ${Math.round(delay / 1000)} s`),
    });
  }

  private async reportFailure(err: unknown): Promise<JobOutcome> {
    const { client, reporter } = this.o;
    const reason = this.controller.signal.reason as unknown;
    if (this.lostReason || isJobGoneError(err, false)) {
      reporter.jobEnded(this.uuid, `dropped: ${this.lostReason ?? (err as Error).message}`);
      return 'lost';
    }
    if (reason instanceof JobAbortedError) {
      await client.abortJob(this.uuid, this.creds, reason.reason).catch((e: Error) => reporter.warn(`job ${this.uuid}: abort not sent: ${e.message}`));
      reporter.jobEnded(this.uuid, `aborted: ${reason.reason}`);
      return 'aborted';
    }
    const message = err instanceof Error ? err.message : String(err);
    // The error report matters (the server counts failures and retries elsewhere): retry it too,
    // but not forever; without it the stall watchdog returns the job to pending anyway.
    await withRetry(() => client.errorJob(this.uuid, this.creds, message), {
      maxElapsedMs: Math.min(this.o.retryMaxElapsedMs, 120_000),
      shouldRetry: isRetryableError,
    }).catch((e: Error) => reporter.warn(`job ${this.uuid}: error report not sent: ${e.message}`));
    reporter.jobEnded(this.uuid, `errored: ${message.split('\n')[0]}`);
    return 'errored';
  }

  /**
   * `update` right away, then every interval: progress report and the server's liveness signal. A
   * beat that fails (server restarting) is tried again after 2 s rather than a whole interval
   * later, so that a short outage does not add up to the server's stall window.
   */
  private startHeartbeat(): () => void {
    let inFlight = false;
    let retry: NodeJS.Timeout | undefined;
    const beat = async () => {
      if (inFlight || this.controller.signal.aborted) return;
      inFlight = true;
      clearTimeout(retry);
      try {
        await this.o.client.updateJob(this.uuid, this.creds, this.progress, AbortSignal.timeout(this.o.progressIntervalMs));
      } catch (err) {
        if (isJobGoneError(err, true)) {
          this.lostReason = `the server no longer has this job as processing (${(err as Error).message})`;
          this.controller.abort(err);
        } else if (!this.controller.signal.aborted) {
          retry = setTimeout(() => void beat(), Math.min(2000, this.o.progressIntervalMs));
        }
      } finally {
        inFlight = false;
      }
    };
    void beat();
    const timer = setInterval(() => void beat(), this.o.progressIntervalMs);
    return () => {
      clearInterval(timer);
      clearTimeout(retry);
    };
  }
}

/**
 * The server says this job is not ours to work on any more: stop quietly, report nothing. A bare
 * 404 only means that on the job's own routes (update, success): "unknown runner job".
 */
function isJobGoneError(err: unknown, jobRoute: boolean): boolean {
  return (
    hasErrorCode(err, ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE) ||
    hasErrorCode(err, ErrorCode.UNKNOWN_RUNNER_TOKEN) ||
    (jobRoute && err instanceof RunnerApiError && err.status === 404)
  );
}
