import { liveStreamHintSchema, type LiveStreamHint } from '@flotilla/shared';
import type { PublisherMetadata } from './rtmp-ingest.service';

/** A FourCC as enhanced RTMP sends it (a number or a 4-letter string) → its letters. */
function fourCC(id: unknown): string | null {
  if (typeof id === 'string') return id.length === 4 ? id : null;
  if (typeof id !== 'number' || id < 0x1000000) return null;
  return String.fromCharCode((id >>> 24) & 0xff, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
}

const VIDEO_IDS: Record<number, string> = { 2: 'flv1', 4: 'vp6f', 7: 'h264', 12: 'hevc' };
const VIDEO_FOURCC: Record<string, string> = { avc1: 'h264', hvc1: 'hevc', av01: 'av1', vp09: 'vp9' };
const AUDIO_IDS: Record<number, string> = { 2: 'mp3', 10: 'aac', 11: 'speex', 14: 'mp3' };
const AUDIO_FOURCC: Record<string, string> = { mp4a: 'aac', Opus: 'opus', '.mp3': 'mp3', 'ac-3': 'ac3', 'ec-3': 'eac3', fLaC: 'flac' };

/** ffprobe's name for an announced codec; 'unknown' when the id means nothing here (the runner then encodes). */
function codecName(id: unknown, ids: Record<number, string>, fourCCs: Record<string, string>): string {
  const cc = fourCC(id);
  if (cc) return fourCCs[cc] ?? 'unknown';
  const n = typeof id === 'string' ? Number(id) : id;
  return (typeof n === 'number' && ids[n]) || 'unknown';
}

/**
 * The live job's `input.streamHint` (Flotilla's extension) from the publisher's onMetaData, or
 * undefined when the metadata says too little. The runner checks it against its own probe, so an
 * encoder that announces wrong values costs a restart of the runner's ffmpeg, not a broken live.
 */
export function streamHintOf(meta: PublisherMetadata | null): LiveStreamHint | undefined {
  if (!meta) return undefined;
  const hasAudio = meta.audioCodec !== undefined && meta.audioCodec !== null && meta.audioCodec !== '';
  const kbps = Number(meta.audioDatarate);
  const hint = {
    video: { codec: codecName(meta.videoCodec, VIDEO_IDS, VIDEO_FOURCC), width: Math.round(meta.width), height: Math.round(meta.height), fps: Number(meta.fps) || 30 },
    audio: hasAudio
      ? { codec: codecName(meta.audioCodec, AUDIO_IDS, AUDIO_FOURCC), bitrate: Number.isFinite(kbps) && kbps > 0 ? Math.round(kbps * 1000) : 0, channels: meta.audioChannels ?? 0 }
      : null,
  };
  const parsed = liveStreamHintSchema.safeParse(hint);
  return parsed.success ? parsed.data : undefined;
}
