import { inputGuardOptions, type InputKind } from './input-guard';

/**
 * What the transcoding decisions need to know about an input, read from
 * `ffprobe -v error -print_format json -show_format -show_streams <file>`. Parsing is pure so the
 * server (upload probing) and the runner (copy decision) read the same facts the same way.
 */
export interface ProbeVideoStream {
  codec: string;
  /** e.g. "High", "Main", "Constrained Baseline", "High 10". */
  profile: string | null;
  /** H.264 level × 10 (31 = 3.1) when ffprobe reports one. */
  level: number | null;
  pixFmt: string | null;
  /** Displayed size: already swapped for streams rotated by ±90°. */
  width: number;
  height: number;
  /** Display rotation in degrees (0, 90, 180, 270), from the display matrix or the rotate tag. */
  rotation: number;
  fps: number;
  /** bit/s when ffprobe knows it. */
  bitrate: number | null;
}

export interface ProbeAudioStream {
  codec: string;
  /** e.g. "LC", "HE-AAC". */
  profile: string | null;
  channels: number | null;
  channelLayout: string | null;
  bitrate: number | null;
}

export interface ProbeSummary {
  /** Seconds; 0 when unknown. */
  duration: number;
  /** Container bitrate, bit/s. */
  bitrate: number | null;
  formatName: string | null;
  video: ProbeVideoStream | null;
  audio: ProbeAudioStream | null;
}

/** A stream as ffprobe's JSON writer prints it: the fields `parseFfprobeOutput` reads. */
export interface RawStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  level?: number;
  channels?: number;
  channel_layout?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

/** ffprobe's JSON output (`-show_streams -show_format`), as far as `parseFfprobeOutput` reads it. */
export interface RawProbe {
  streams?: RawStream[];
  format?: { duration?: string; bit_rate?: string; format_name?: string };
}

/** Rotation of a stream in [0, 360): phones store portrait video as rotated landscape. */
function rotationOf(s: RawStream): number {
  const fromMatrix = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromMatrix ?? (s.tags?.rotate !== undefined ? Number(s.tags.rotate) : 0);
  if (!Number.isFinite(raw)) return 0;
  return ((Math.round(raw / 90) * 90) % 360 + 360) % 360;
}

/** "30000/1001" → 29.97; "0/0" or garbage → 0. */
export function parseFrameRate(value: string | undefined): number {
  if (!value) return 0;
  const [num, den] = value.split('/').map(Number);
  if (den === undefined) return Number.isFinite(num) ? num! : 0;
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) return 0;
  return Math.round((num! / den) * 1000) / 1000;
}

function positiveNumber(value: string | number | undefined): number | null {
  const n = typeof value === 'number' ? value : value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export function parseFfprobeOutput(json: string | RawProbe): ProbeSummary {
  const raw: RawProbe = typeof json === 'string' ? (JSON.parse(json) as RawProbe) : json;
  const streams = raw.streams ?? [];
  // Cover art in audio files is a "video" stream flagged attached_pic: it is not a video.
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && s.width && s.height);
  const a = streams.find((s) => s.codec_type === 'audio');
  const rotation = v ? rotationOf(v) : 0;
  const swap = rotation === 90 || rotation === 270;
  const duration = positiveNumber(raw.format?.duration) ?? positiveNumber(v?.duration) ?? positiveNumber(a?.duration) ?? 0;
  return {
    duration,
    bitrate: positiveNumber(raw.format?.bit_rate),
    formatName: raw.format?.format_name ?? null,
    video: v
      ? {
          codec: v.codec_name ?? 'unknown',
          profile: v.profile ?? null,
          level: typeof v.level === 'number' && v.level > 0 ? v.level : null,
          pixFmt: v.pix_fmt ?? null,
          width: swap ? v.height! : v.width!,
          height: swap ? v.width! : v.height!,
          rotation,
          // avg_frame_rate is what players see; r_frame_rate is a fallback for odd containers.
          fps: parseFrameRate(v.avg_frame_rate) || parseFrameRate(v.r_frame_rate),
          bitrate: positiveNumber(v.bit_rate),
        }
      : null,
    audio: a
      ? {
          codec: a.codec_name ?? 'unknown',
          profile: a.profile ?? null,
          channels: a.channels ?? null,
          channelLayout: a.channel_layout ?? null,
          bitrate: positiveNumber(a.bit_rate),
        }
      : null,
  };
}

/** The arguments to give ffprobe so its output parses with `parseFfprobeOutput`. */
export function buildFfprobeArgs(input: string, kind: InputKind = 'media'): string[] {
  return ['-v', 'error', ...inputGuardOptions(kind), '-print_format', 'json', '-show_format', '-show_streams', input];
}

/**
 * `-show_entries` value naming exactly the fields of `RawStream`/`RawProbe`. For callers that cannot
 * choose ffprobe's writer (fluent-ffmpeg reads the default key=value writer, which prints values
 * unescaped): with only these entries no free text is printed except the `rotate` tag, so a crafted
 * title or comment tag cannot pose as stream fields. Keep it in step with `RawStream`.
 */
export const FFPROBE_ENTRIES = [
  'stream=codec_type,codec_name,profile,pix_fmt,width,height,avg_frame_rate,r_frame_rate,bit_rate,level,channels,channel_layout,duration',
  'stream_disposition=attached_pic',
  'stream_tags=rotate',
  'stream_side_data=rotation',
  'format=duration,bit_rate,format_name',
  'format_tags=',
].join(':');
