import type { InputKind, ProbeSummary, RunnerJobCustomUpload, RunnerJobPayloadMap, RunnerJobType } from '@flotilla/shared';
import type { Workspace } from '../workspace/workspace';
import type { FfmpegSettings } from './ffmpeg';

export type JobPhase = 'downloading' | 'probing' | 'transcoding' | 'uploading';

/** What a processor may use: its job, a folder, the downloader and ffmpeg settings. */
export interface ProcessorContext<T extends RunnerJobType> {
  jobUUID: string;
  payload: RunnerJobPayloadMap[T];
  workspace: Workspace;
  ffmpeg: FfmpegSettings;
  signal: AbortSignal;
  /** Streams a payload URL into the workspace; returns the local path. */
  download(url: string, name: string): Promise<string>;
  /** ffprobe of a downloaded input (an input shared by several jobs is probed once). */
  /** `image` for a still picture (audio-merge preview): the guard then allows image demuxers only. */
  probe(path: string, kind?: InputKind): Promise<ProbeSummary>;
  setPhase(phase: JobPhase): void;
  /** 0–100 of the transcoding step. */
  setProgress(percent: number): void;
  log(message: string): void;
  /** Live jobs: one `update` with a payload and files (chunks, playlists). */
  liveUpdate(payload: Record<string, string>, files: Record<string, string>): Promise<void>;
}

export interface ProcessorResult {
  /** Local paths by success payload field (`videoFile`, `resolutionPlaylistFile`). */
  files: Record<string, string>;
  /** Outputs the server wants sent elsewhere, by the same field names. */
  customUploads?: Record<string, RunnerJobCustomUpload | undefined>;
}

export type Processor<T extends RunnerJobType> = (ctx: ProcessorContext<T>) => Promise<ProcessorResult>;

/** The job cannot be done by this runner; sent to the server as an `error`. */
export class UnsupportedJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedJobError';
  }
}
