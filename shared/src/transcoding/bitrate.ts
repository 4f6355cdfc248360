/**
 * Bitrate targets per rung. Bits per pixel per frame by resolution class are PeerTube's (from
 * bitmovin's ladder study), so Flotilla's renditions weigh what a PeerTube's would.
 */
type BitsPerPixel = Record<number, number>;

const AVERAGE_BPP: BitsPerPixel = { 0: 0, 144: 0.19, 240: 0.17, 360: 0.15, 480: 0.12, 720: 0.11, 1080: 0.1, 1440: 0.09, 2160: 0.08 };
const MAX_BPP: BitsPerPixel = { 0: 0, 144: 0.32, 240: 0.29, 360: 0.26, 480: 0.22, 720: 0.19, 1080: 0.17, 1440: 0.16, 2160: 0.14 };
const MIN_BPP: BitsPerPixel = { 0: 0, 144: 0.02, 240: 0.02, 360: 0.02, 480: 0.02, 720: 0.02, 1080: 0.02, 1440: 0.02, 2160: 0.02 };
const CLASSES_DESC = [2160, 1440, 1080, 720, 480, 360, 240, 144, 0];

export interface BitrateOptions {
  /** Height class of the rung. */
  resolution: number;
  /** Width ÷ height of the input (any orientation); 0 when unknown. */
  ratio: number;
  fps: number;
}

function bitrateFor(table: BitsPerPixel, { resolution, ratio, fps }: BitrateOptions): number {
  const longSide = ratio > 0 && ratio < 1 ? resolution / ratio : resolution * ratio;
  const cls = CLASSES_DESC.find((c) => c <= resolution) ?? 0;
  return Math.floor(resolution * longSide * fps * table[cls]!);
}

/** Target average video bitrate (bit/s); 192 kb/s when it cannot be computed (audio only). */
export function averageBitrate(options: BitrateOptions): number {
  return bitrateFor(AVERAGE_BPP, options) || 192_000;
}

/** Ceiling above which a stream is considered too heavy for its rung (bit/s). */
export function maxBitrate(options: BitrateOptions): number {
  return bitrateFor(MAX_BPP, options) || 256_000;
}

/** Floor under which the encoder is never asked to go (bit/s). */
export function minBitrate(options: BitrateOptions): number {
  return bitrateFor(MIN_BPP, options) || 10_000;
}

/**
 * The `-maxrate` of a rung: the average target, but never much above what the input itself spends
 * (input + 30 %: re-encoding cannot add detail), and never below the floor.
 */
export function targetBitrate(options: BitrateOptions & { inputBitrate?: number }): number {
  let target = averageBitrate(options);
  if (options.inputBitrate) target = Math.min(target, Math.floor(options.inputBitrate * 1.3));
  return Math.max(minBitrate(options), target);
}
