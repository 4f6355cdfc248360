import { z } from 'zod';

/** The job types Flotilla creates and its runner knows. Spelling is PeerTube's. */
export const RUNNER_JOB_TYPES = [
  'vod-web-video-transcoding',
  'vod-hls-transcoding',
  'vod-audio-merge-transcoding',
  'live-rtmp-hls-transcoding',
] as const;
export const runnerJobTypeSchema = z.enum(RUNNER_JOB_TYPES);
export type RunnerJobType = z.infer<typeof runnerJobTypeSchema>;

export const VOD_RUNNER_JOB_TYPES = [
  'vod-web-video-transcoding',
  'vod-hls-transcoding',
  'vod-audio-merge-transcoding',
] as const satisfies readonly RunnerJobType[];
export type VodRunnerJobType = (typeof VOD_RUNNER_JOB_TYPES)[number];

/**
 * Whether `abort` puts the job back to PENDING. For live jobs PeerTube turns an abort into an error
 * (a live session cannot be resumed by another runner), so a runner must not abort them lightly.
 */
export function isAbortableRunnerJobType(type: RunnerJobType): boolean {
  return type !== 'live-rtmp-hls-transcoding';
}

export function isVodRunnerJobType(type: string): type is VodRunnerJobType {
  return (VOD_RUNNER_JOB_TYPES as readonly string[]).includes(type);
}
