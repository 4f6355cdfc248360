import type { ProbeSummary } from './probe';
import {
  AUDIO_MERGE_FPS,
  computeOutputFps,
  computeResolutionsToTranscode,
  DEFAULT_AUDIO_MERGE_RESOLUTION,
  resolutionOf,
} from './resolutions';

export type PlannedJobType = 'vod-hls-transcoding' | 'vod-web-video-transcoding' | 'vod-audio-merge-transcoding';

export interface PlannedJob {
  type: PlannedJobType;
  resolution: number;
  fps: number;
  /** The first rendition: highest priority, it publishes the video. Exactly one job has it. */
  first: boolean;
  /**
   * Needs the first job's output as input (renditions of an audio merge). Every other job reads
   * the original upload and is available at once.
   */
  dependsOnFirst: boolean;
}

export interface PlanOptions {
  /** Probe of the uploaded file. */
  probe: ProbeSummary;
  /** Ladder rungs the admin enabled (0 = audio-only rendition is not planned here). */
  enabledResolutions: readonly number[];
  hls: boolean;
  webVideos: boolean;
  /** `transcoding.fps.max`. */
  maxFps?: number;
  /** Keep a non-ladder input resolution as a rung (PeerTube's always_transcode_original_resolution). */
  includeInputResolution?: boolean;
}

/**
 * Which runner jobs an upload needs: one HLS job per rung not above the input (fps capped as
 * PeerTube does), one web-video job per rung when web videos are on, an audio merge first for
 * audio-only uploads. Each (type, resolution) appears once. Whether a rung is remuxed instead of
 * encoded is the runner's call (`decideStreamCopy`), made on the file it downloads.
 */
export function planVodTranscoding(o: PlanOptions): PlannedJob[] {
  if (!o.hls && !o.webVideos) throw new Error('Neither HLS nor web videos are enabled');
  const jobs: PlannedJob[] = [];
  const v = o.probe.video;

  if (!v) {
    if (!o.probe.audio) throw new Error('Input has neither video nor audio');
    // Audio + still image: the merge makes the video every other rendition is cut from. Its
    // output is a progressive MP4, which is also the web video of that resolution.
    const res = DEFAULT_AUDIO_MERGE_RESOLUTION;
    jobs.push({ type: 'vod-audio-merge-transcoding', resolution: res, fps: AUDIO_MERGE_FPS, first: true, dependsOnFirst: false });
    for (const r of computeResolutionsToTranscode({ inputResolution: res, enabledResolutions: o.enabledResolutions, includeInput: true })) {
      if (o.hls) jobs.push({ type: 'vod-hls-transcoding', resolution: r, fps: AUDIO_MERGE_FPS, first: false, dependsOnFirst: true });
      if (o.webVideos && r !== res) jobs.push({ type: 'vod-web-video-transcoding', resolution: r, fps: AUDIO_MERGE_FPS, first: false, dependsOnFirst: true });
    }
    return jobs;
  }

  const inputResolution = resolutionOf(v.width, v.height);
  const rungs = computeResolutionsToTranscode({
    inputResolution,
    enabledResolutions: o.enabledResolutions,
    includeInput: o.includeInputResolution ?? true,
  });
  // A tiny input with every rung above it still gets one rendition: its own size.
  if (rungs.length === 0) rungs.push(inputResolution);
  const types: PlannedJobType[] = o.hls ? ['vod-hls-transcoding'] : [];
  if (o.webVideos) types.push('vod-web-video-transcoding');
  for (const r of rungs) {
    const fps = computeOutputFps({ inputFps: v.fps || 30, resolution: r, isOriginResolution: r === inputResolution, maxFps: o.maxFps });
    for (const type of types) jobs.push({ type, resolution: r, fps, first: jobs.length === 0, dependsOnFirst: false });
  }
  return jobs;
}
