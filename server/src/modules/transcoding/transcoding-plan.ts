import {
  AUDIO_MERGE_FPS,
  computeOutputFps,
  decideStreamCopy,
  DEFAULT_AUDIO_MERGE_RESOLUTION,
  resolutionOf,
  RUNNER_JOB_PRIORITY,
  type ProbeSummary,
  type VodRunnerJobType,
} from '@flotilla/shared';

export interface PlannedJob {
  type: VodRunnerJobType;
  resolution: number;
  fps: number;
  /** The server's probe says this rung is a remux of the input. */
  streamCopy: boolean;
  priority: number;
  /** Waits for the audio merge (its input is the merged video). */
  afterAudioMerge: boolean;
}

export interface TranscodingPlanInput {
  probe: ProbeSummary;
  enabledResolutions: readonly number[];
  maxFps: number;
  hls: boolean;
  webVideos: boolean;
}

/** The first rendition beats everything else of the same upload, and other uploads' rungs. */
const FIRST = RUNNER_JOB_PRIORITY.REQUIRED_TRANSCODING - 1;
const OTHERS = RUNNER_JOB_PRIORITY.REQUIRED_TRANSCODING;

function rungsFor(inputResolution: number, enabled: readonly number[]): number[] {
  const rungs = [...new Set(enabled.filter((r) => r > 0 && r <= inputResolution))].sort((a, b) => b - a);
  // An input below every enabled rung is still made watchable, at its own size.
  return rungs.length ? rungs : [inputResolution];
}

/**
 * Which runner jobs a new upload needs. One job per rung and output type; all of them pending at
 * once so idle runners work in parallel. The rung that is a remux (seconds of work) goes first;
 * without one, the smallest rung (the quickest encode) does, so the video is watchable soonest.
 * Audio-only uploads first get a still-image video (audio merge); their rungs wait for it.
 */
export function planTranscoding(o: TranscodingPlanInput): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  if (!o.probe.video) {
    jobs.push({ type: 'vod-audio-merge-transcoding', resolution: DEFAULT_AUDIO_MERGE_RESOLUTION, fps: AUDIO_MERGE_FPS, streamCopy: false, priority: FIRST, afterAudioMerge: false });
    if (o.hls) {
      for (const r of rungsFor(DEFAULT_AUDIO_MERGE_RESOLUTION, o.enabledResolutions)) {
        jobs.push({ type: 'vod-hls-transcoding', resolution: r, fps: AUDIO_MERGE_FPS, streamCopy: false, priority: OTHERS, afterAudioMerge: true });
      }
    }
    return jobs;
  }

  const v = o.probe.video;
  const inputResolution = resolutionOf(v.width, v.height);
  for (const resolution of rungsFor(inputResolution, o.enabledResolutions)) {
    const fps = computeOutputFps({ inputFps: v.fps, resolution, isOriginResolution: resolution === inputResolution, maxFps: o.maxFps });
    const streamCopy = decideStreamCopy(o.probe, { resolution, fps }).copy;
    if (o.hls) jobs.push({ type: 'vod-hls-transcoding', resolution, fps, streamCopy, priority: OTHERS, afterAudioMerge: false });
    if (o.webVideos) jobs.push({ type: 'vod-web-video-transcoding', resolution, fps, streamCopy, priority: OTHERS, afterAudioMerge: false });
  }
  const first =
    jobs.find((j) => j.streamCopy && j.type === 'vod-hls-transcoding') ??
    jobs.find((j) => j.streamCopy) ??
    [...jobs].sort((a, b) => a.resolution - b.resolution || (a.type === 'vod-hls-transcoding' ? -1 : 1))[0];
  if (first) first.priority = FIRST;
  return jobs;
}
