import type { ProbeSummary } from './probe';
import { resolutionOf } from './resolutions';

/** Video profiles every browser's H.264 decoder plays (High 10, 4:2:2 and 4:4:4 ones are not). */
const BROWSER_H264_PROFILES = ['baseline', 'constrained baseline', 'main', 'high'];
/** Tolerance on fps comparisons: 29.97 vs 30 is the same rate for this purpose. */
const FPS_EPSILON = 0.05;

export type StreamCopyDecision = { copy: true } | { copy: false; reason: string };

/**
 * Whether a rung can be made by remuxing the input instead of encoding it: the video is already
 * browser-playable H.264 4:2:0 at exactly that height class, needs no fps reduction, and its audio
 * (if any) is AAC. Remuxing costs a fraction of a second instead of a full encode.
 */
export function decideStreamCopy(
  probe: ProbeSummary,
  target: { resolution: number; fps: number; separatedAudioInput?: boolean },
): StreamCopyDecision {
  const v = probe.video;
  if (target.resolution === 0) return { copy: false, reason: 'audio-only rendition' };
  if (!v) return { copy: false, reason: 'no video stream' };
  if (target.separatedAudioInput) return { copy: false, reason: 'audio comes from a separate input' };
  if (v.codec !== 'h264') return { copy: false, reason: `video codec ${v.codec} is not h264` };
  if (v.pixFmt !== 'yuv420p') return { copy: false, reason: `pixel format ${v.pixFmt ?? 'unknown'} is not yuv420p` };
  if (v.profile && !BROWSER_H264_PROFILES.includes(v.profile.toLowerCase())) {
    return { copy: false, reason: `h264 profile ${v.profile} is not browser-playable` };
  }
  // A copied stream keeps its rotation flag, which not every MSE player applies: encode upright.
  if (v.rotation !== 0) return { copy: false, reason: `video is rotated ${v.rotation}°` };
  const inputResolution = resolutionOf(v.width, v.height);
  if (inputResolution !== target.resolution) {
    return { copy: false, reason: `input is ${inputResolution}p, rung is ${target.resolution}p` };
  }
  if (target.fps > 0 && v.fps > target.fps + FPS_EPSILON) {
    return { copy: false, reason: `input fps ${v.fps} is above the rung's ${target.fps}` };
  }
  if (probe.audio && probe.audio.codec !== 'aac') {
    return { copy: false, reason: `audio codec ${probe.audio.codec} is not aac` };
  }
  return { copy: true };
}

export function canStreamCopy(probe: ProbeSummary, target: { resolution: number; fps: number }): boolean {
  return decideStreamCopy(probe, target).copy;
}
