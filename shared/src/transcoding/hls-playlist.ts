import type { ProbeSummary } from './probe';

/**
 * Pure helpers for the server's HLS step: the RFC 8216 CODECS value of a rendition, the master
 * playlist, and renaming the fMP4 a media playlist points to.
 */

/** H.264 profile → profile_idc and constraint-flags bytes of an `avc1.PPCCLL` codec string. */
const AVC_PROFILE_BYTES: Record<string, string> = {
  'constrained baseline': '42e0',
  baseline: '42e0',
  main: '4d40',
  extended: '58a0',
  high: '6400',
};

/** `avc1.64001f` style string for H.264 streams; null when it cannot be stated. */
export function videoCodecString(video: NonNullable<ProbeSummary['video']>): string | null {
  if (video.codec !== 'h264') return null;
  const profile = AVC_PROFILE_BYTES[(video.profile ?? 'high').toLowerCase()];
  if (!profile) return null;
  // Level 3.1 when unknown: what 720p30 needs; players only use it as a hint.
  const level = (video.level ?? 31).toString(16).padStart(2, '0');
  return `avc1.${profile}${level}`;
}

/** `mp4a.40.2` (AAC-LC), `mp4a.40.5` (HE-AAC), `mp4a.40.29` (HE-AACv2); null for other codecs. */
export function audioCodecString(audio: NonNullable<ProbeSummary['audio']>): string | null {
  if (audio.codec !== 'aac') return null;
  const p = (audio.profile ?? 'LC').toLowerCase();
  if (p.includes('v2')) return 'mp4a.40.29';
  if (p.startsWith('he')) return 'mp4a.40.5';
  return 'mp4a.40.2';
}

/** CODECS attribute value of a rendition file, e.g. `avc1.64001f,mp4a.40.2`. */
export function hlsCodecs(probe: ProbeSummary): string {
  const codecs: string[] = [];
  const v = probe.video ? videoCodecString(probe.video) : null;
  const a = probe.audio ? audioCodecString(probe.audio) : null;
  if (v) codecs.push(v);
  if (a) codecs.push(a);
  return codecs.join(',');
}

export interface MasterPlaylistVariant {
  /** URI of the media playlist, relative to the master playlist. */
  uri: string;
  /** Peak bit/s of the rendition. */
  bandwidth: number;
  width?: number;
  height?: number;
  fps?: number;
  codecs?: string;
}

/** Master playlist listing muxed renditions, best first (players start with the first listed). */
export function buildMasterPlaylist(variants: readonly MasterPlaylistVariant[]): string {
  const sorted = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of sorted) {
    const attrs = [`BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))}`];
    if (v.width && v.height) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.fps) attrs.push(`FRAME-RATE=${v.fps.toFixed(3)}`);
    if (v.codecs) attrs.push(`CODECS="${v.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}

/**
 * Points a single-file media playlist at a renamed fMP4: both the `#EXT-X-MAP` URI and every
 * segment line. Anything but the file name (a path a runner leaked) is dropped as well.
 */
export function renameMediaPlaylistFile(playlist: string, newFileName: string): string {
  return playlist
    .split('\n')
    .map((line) => {
      if (line.startsWith('#EXT-X-MAP:')) return line.replace(/URI="[^"]*"/, `URI="${newFileName}"`);
      if (line !== '' && !line.startsWith('#')) return newFileName;
      return line;
    })
    .join('\n');
}

/** The file a media playlist's segments live in (from its `#EXT-X-MAP`), or null. */
export function mediaPlaylistFile(playlist: string): string | null {
  const m = /#EXT-X-MAP:.*URI="([^"]+)"/.exec(playlist);
  return m ? m[1]! : null;
}
