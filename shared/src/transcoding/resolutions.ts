/**
 * PeerTube's resolution classes and its FPS rules. A resolution is the height class of a rendition:
 * the height for landscape video, the width (smaller side) for portrait; 0 is audio only.
 */
export const VideoResolution = {
  H_NOVIDEO: 0,
  H_144P: 144,
  H_240P: 240,
  H_360P: 360,
  H_480P: 480,
  H_720P: 720,
  H_1080P: 1080,
  H_1440P: 1440,
  H_4K: 2160,
} as const;
export type VideoResolution = (typeof VideoResolution)[keyof typeof VideoResolution];

/** Video rungs of the ladder, highest first (audio-only 0 is handled apart). */
export const RESOLUTION_LADDER: readonly number[] = [2160, 1440, 1080, 720, 480, 360, 240, 144];

/** Resolution given to audio + still image uploads (PeerTube's DEFAULT_AUDIO_RESOLUTION). */
export const DEFAULT_AUDIO_MERGE_RESOLUTION = 480;
/** FPS of the still-image video made for audio uploads (PeerTube's AUDIO_MERGE fps). */
export const AUDIO_MERGE_FPS = 25;
/** PeerTube's default `transcoding.fps.max`. */
export const DEFAULT_MAX_FPS = 60;

/** Height class of a frame: the smaller side, so portrait 1080×1920 is "1080p". */
export function resolutionOf(width: number, height: number): number {
  return Math.min(width, height);
}

export function isLadderResolution(resolution: number): boolean {
  return RESOLUTION_LADDER.includes(resolution);
}

interface FpsSettings {
  standard: number[];
  hdStandard: number[];
  average: number;
  transcodedMax: number;
}

/** Below this resolution a transcoded rung is brought down to a "standard" fps (≤ 30). */
const KEEP_ORIGIN_FPS_RESOLUTION_MIN = 720;
const HARD_MIN_FPS = 0.1;
const TRANSCODED_MIN_FPS = 1;

function fpsSettings(maxFps: number): FpsSettings {
  const standard = [24, 25, 30].filter((v) => v <= maxFps);
  if (standard.length === 0) standard.push(maxFps);
  return {
    standard,
    hdStandard: [50, 60, maxFps].filter((v) => v <= maxFps),
    average: Math.min(30, maxFps),
    transcodedMax: maxFps,
  };
}

/**
 * The candidate that divides the input fps (so frames are dropped evenly), largest first; when
 * none divides it, the one leaving the smallest remainder.
 */
function closestFramerate(inputFps: number, candidates: number[]): number {
  // Nominal rate: 59.94 is "60" for this purpose (PeerTube rounds probed fps the same way).
  const fps = Math.round(inputFps);
  const desc = [...candidates].sort((a, b) => b - a);
  const divisor = desc.find((c) => fps % c === 0);
  if (divisor !== undefined) return divisor;
  return [...desc].sort((a, b) => (fps % a) - (fps % b))[0]!;
}

/**
 * Output fps of a rung, as PeerTube computes it: the original resolution keeps its fps; rungs
 * under 720p above 30 fps come down to 24/25/30; no transcoded rung exceeds `maxFps` (default 60).
 */
export function computeOutputFps(options: {
  inputFps: number;
  resolution: number;
  isOriginResolution: boolean;
  maxFps?: number;
}): number {
  const { resolution, isOriginResolution } = options;
  if (resolution === VideoResolution.H_NOVIDEO) return 0;
  const settings = fpsSettings(options.maxFps ?? DEFAULT_MAX_FPS);

  let fps = options.inputFps;
  if (!isOriginResolution && resolution < KEEP_ORIGIN_FPS_RESOLUTION_MIN && fps > settings.average) {
    fps = closestFramerate(fps, settings.standard);
  }
  if (!(fps >= HARD_MIN_FPS)) {
    throw new RangeError(`Cannot compute output fps: input fps ${options.inputFps} is below ${HARD_MIN_FPS}`);
  }
  fps = Math.max(fps, TRANSCODED_MIN_FPS);
  if (!isOriginResolution && fps > settings.transcodedMax) {
    fps = closestFramerate(fps, settings.hdStandard);
  }
  return fps;
}

/**
 * Resolutions to produce for an input of height class `inputResolution`: every enabled ladder rung
 * not above it, highest first, each once. With `includeInput` (PeerTube's
 * `always_transcode_original_resolution`, on by default) the input's own resolution is added even
 * when it is not an enabled rung, so the best quality is never thrown away.
 */
export function computeResolutionsToTranscode(options: {
  inputResolution: number;
  enabledResolutions: readonly number[];
  includeInput?: boolean;
}): number[] {
  const { inputResolution, enabledResolutions } = options;
  const out = new Set<number>();
  for (const r of enabledResolutions) {
    if (r > 0 && r <= inputResolution && isLadderResolution(r)) out.add(r);
  }
  if ((options.includeInput ?? true) && inputResolution > 0) out.add(inputResolution);
  return [...out].sort((a, b) => b - a);
}

/**
 * Frame size of a rung: the smaller side becomes `resolution`, the other keeps the aspect ratio
 * rounded to an even number (x264 with yuv420p needs even sizes).
 */
export function scaledDimensions(input: { width: number; height: number }, resolution: number) {
  const portrait = input.width < input.height;
  const ratio = portrait ? input.height / input.width : input.width / input.height;
  const other = Math.max(2, Math.round((resolution * ratio) / 2) * 2);
  return portrait ? { width: resolution, height: other } : { width: other, height: resolution };
}
