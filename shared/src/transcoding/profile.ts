/**
 * Flotilla's one transcoding profile. Every encode (HLS rung, web video, audio merge) takes its
 * settings from here, so what a rendition looks like is decided in one place.
 *
 * - H.264 (libx264) `veryfast`: PeerTube's default preset; a good quality/speed point for a CPU
 *   runner. CRF 23 with a `-maxrate` cap (the rung's bitrate target) and a 2× buffer, so easy scenes
 *   stay small and hard scenes cannot blow past the rung's bandwidth.
 * - `-bf 16 -b_strategy 1`: many B-frames with the fast heuristic placement, as PeerTube does;
 *   cheaper bits at the same quality for typical content.
 * - yuv420p always: the only chroma format every browser decodes.
 * - A keyframe every 2 s, forced by timestamp (not by frame count, which drifts at 29.97 fps) and
 *   with scene-cut keyframes left in: every 4 s segment boundary then falls on a keyframe, so
 *   segments are exactly 4 s and renditions switch cleanly at the same instants.
 * - AAC-LC stereo 128 kb/s: Chrome has trouble with some multichannel layouts in HLS.
 * - HLS: fragmented MP4 in ONE file per rung (`-hls_flags single_file`), addressed by byte ranges
 *   from a VOD media playlist. One file per rung is what PeerTube stores and what P2P loaders share.
 */
export const TRANSCODING_PROFILE = {
  name: 'flotilla-x264-aac-v1',
  video: {
    encoder: 'libx264',
    preset: 'veryfast',
    crf: 23,
    pixFmt: 'yuv420p',
    bframes: 16,
    bStrategy: 1,
    /** `-bufsize` = this × `-maxrate`. */
    bufsizeFactor: 2,
    keyframeIntervalSeconds: 2,
  },
  audio: {
    encoder: 'aac',
    bitrate: 128_000,
    channels: 2,
  },
  hls: {
    segmentSeconds: 4,
    segmentType: 'fmp4',
  },
  /** Audio + still image uploads. */
  audioMerge: {
    tune: 'stillimage',
  },
} as const;

/** Names PeerTube gives HLS outputs: `<uuid>-<res>-fragmented.mp4` and its playlist `<uuid>-<res>.m3u8`. */
export function hlsVideoFileName(uuid: string, resolution: number): string {
  return `${uuid}-${resolution}-fragmented.mp4`;
}
export function hlsPlaylistFileName(uuid: string, resolution: number): string {
  return `${uuid}-${resolution}.m3u8`;
}
/** Playlist name for an fMP4 name (`x-720-fragmented.mp4` → `x-720.m3u8`), as PeerTube derives it. */
export function hlsPlaylistFileNameFor(videoFileName: string): string {
  return videoFileName.replace(/-fragmented\.mp4$/, '').replace(/\.mp4$/, '') + '.m3u8';
}
