/**
 * What ffmpeg and ffprobe may open when they read user input (an upload, or a runner job's
 * downloaded input). Left to themselves they pick a demuxer by content, and several demuxers open
 * further files or URLs named inside the input: `dash` (an XML manifest's BaseURL), `hls`, `concat`,
 * `image2` sequences, `webm_dash_manifest`, subtitle and playlist formats. An upload holding such a
 * text would make the server read any local media file (or probe whether a path exists). So every
 * run on user input carries both:
 * - a protocol whitelist of `file` alone: no network, no `subfile:`/`concat:`/`pipe:` tricks;
 * - a format whitelist: only container demuxers that read the one file they are given. ffmpeg
 *   checks it right after probing, before the demuxer reads its header, so a refused manifest never
 *   gets to open what it names.
 * The upload's format is checked against the same list once more after the probe (`isAllowedContainer`).
 */

/** Demuxer names as ffmpeg prints them (`ffmpeg -demuxers`), each a single-file container or stream. */
export const MEDIA_DEMUXERS = [
  'mov,mp4,m4a,3gp,3g2,mj2',
  'matroska,webm',
  'avi',
  'flv',
  'asf',
  'mpegts',
  'mpeg',
  'mpegvideo',
  'm4v',
  'h264',
  'hevc',
  'nut',
  'mxf',
  'ogg',
  'mp3',
  'wav',
  'w64',
  'flac',
  'aac',
  'ac3',
  'eac3',
  'aiff',
  'amr',
  'caf',
  'dv',
  'wv',
] as const;

/**
 * Still images (an audio-merge job's preview). `image2` is needed to read a .jpg/.png file by name;
 * the runner chooses that name itself (never holding a `%d` sequence pattern).
 */
export const IMAGE_DEMUXERS = ['image2', 'jpeg_pipe', 'png_pipe', 'webp_pipe'] as const;

export type InputKind = 'media' | 'image';

/** Input options (placed before `-i`, or among ffprobe's options) confining a run to the file given. */
export function inputGuardOptions(kind: InputKind = 'media'): string[] {
  const formats = kind === 'image' ? IMAGE_DEMUXERS : MEDIA_DEMUXERS;
  return ['-protocol_whitelist', 'file', '-format_whitelist', formats.join(',')];
}

const ALLOWED_FORMAT_NAMES = new Set(MEDIA_DEMUXERS.flatMap((d) => d.split(',')));

/** ffprobe's `format_name` (e.g. "mov,mp4,m4a,3gp,3g2,mj2") names an allowed upload container. */
export function isAllowedContainer(formatName: string | null): boolean {
  if (!formatName) return false;
  return formatName.split(',').every((n) => ALLOWED_FORMAT_NAMES.has(n));
}
