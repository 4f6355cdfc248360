import { Injectable } from '@nestjs/common';
import { isAbortableRunnerJobType, RUNNER_PROTOCOL, type RunnerJobType } from '@flotilla/shared';
import type { RunnerJobModel } from './runner.model';

/** A file a runner posted with `success` (or a live `update`), already on disk in the tmp folder. */
export interface UploadedRunnerFile {
  /** `videoFile`, `resolutionPlaylistFile`… (the name inside `payload[...]`). */
  field: string;
  /** Where multer wrote it (a random name under the tmp folder). */
  path: string;
  /** The name the runner gave it (already checked: no path separators). */
  originalName: string;
  size: number;
}

/** Which input a runner asks for on the download routes. */
export type RunnerInputKind = 'max-quality' | 'max-quality-audio' | 'preview';

/** How the generic state machine treats one job type: the feature that owns the type decides. */
export interface RunnerJobPolicy {
  /**
   * A processing job with no sign of life (its `update`, or any call of the runner holding it) for
   * this long is stalled. Must cover the cadence of every runner that may take the type: PeerTube's
   * runner sends `update` every 60 s.
   */
  stallWindowMs: number;
  /**
   * The window while the holding runner is connected to the `/runners` socket (at least
   * `stallWindowMs`): a connected runner is alive, only its job may have hung.
   */
  connectedStallWindowMs?: number;
  /** Abort or a stall puts the job back to PENDING; otherwise both error it for good. */
  abortable: boolean;
  /** Failure reports before the job errors for good. */
  maxFailures: number;
}

/**
 * What the runners module needs from the feature that created a job type (transcoding, live): it
 * applies results and reacts to final outcomes. The runners module knows the protocol and the state
 * machine; it never looks inside videos.
 */
export interface RunnerJobHandler {
  policy: RunnerJobPolicy;
  /**
   * Applies a success. The files are temporary: keep what is needed by moving it; the rest is
   * removed afterwards. Throwing errors the job (and `onFinalError` runs).
   */
  complete(job: RunnerJobModel, files: Record<string, UploadedRunnerFile>): Promise<void>;
  /**
   * A runner's `update` with a payload or files (live chunks). Types without this hook refuse
   * them. The files are temporary like `complete`'s.
   */
  onUpdate?(job: RunnerJobModel, files: Record<string, UploadedRunnerFile>, payload: Record<string, unknown> | undefined): Promise<void>;
  /** The job failed for good (failure limit reached, completion failed, or a live abort). */
  onFinalError?(job: RunnerJobModel, message: string): Promise<void>;
  /** An admin cancelled the job (or it was deleted while active). */
  onCancel?(job: RunnerJobModel): Promise<void>;
  /** Absolute path of an input the job may download, or null when there is none. */
  inputFile?(job: RunnerJobModel, kind: RunnerInputKind): Promise<string | null>;
  /** Folders an input file must lie in (download confinement). */
  inputRoots?(): string[];
}

/** Registry filled by feature modules at init (transcoding registers the VOD types). */
@Injectable()
export class RunnerJobHandlers {
  private readonly handlers = new Map<RunnerJobType, RunnerJobHandler>();

  register(type: RunnerJobType, handler: RunnerJobHandler): void {
    this.handlers.set(type, handler);
  }

  get(type: RunnerJobType): RunnerJobHandler | undefined {
    return this.handlers.get(type);
  }

  /**
   * The type's policy, or for a type no feature registered yet (live) today's behaviour:
   * shared's rule for which types an abort may send back, the matching configured window.
   */
  policy(type: RunnerJobType, runners: { stalled_jobs: { vod: number; live: number }; max_failures: number }): RunnerJobPolicy {
    const registered = this.handlers.get(type)?.policy;
    if (registered) return registered;
    const abortable = isAbortableRunnerJobType(type);
    return {
      stallWindowMs: abortable ? runners.stalled_jobs.vod : runners.stalled_jobs.live,
      connectedStallWindowMs: abortable ? Math.max(runners.stalled_jobs.vod, RUNNER_PROTOCOL.STALLED_VOD_JOB_MS) : undefined,
      abortable,
      maxFailures: runners.max_failures,
    };
  }
}
