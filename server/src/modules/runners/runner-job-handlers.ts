import { Injectable } from '@nestjs/common';
import type { RunnerJobType } from '@flotilla/shared';
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

/**
 * What the runners module needs from the feature that created a job type (transcoding, live): it
 * applies results and reacts to final outcomes. The runners module knows the protocol and the state
 * machine; it never looks inside videos.
 */
export interface RunnerJobHandler {
  /**
   * Applies a success. The files are temporary: keep what is needed by moving it; the rest is
   * removed afterwards. Throwing errors the job (and `onFinalError` runs).
   */
  complete(job: RunnerJobModel, files: Record<string, UploadedRunnerFile>): Promise<void>;
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
}
