import type { ProbeSummary } from '@flotilla/shared';

/**
 * Pure HLS text handling: the media playlist a runner sends, the master playlist and the
 * `segments-sha256.json` the web player checks P2P segments against.
 */

export class InvalidPlaylistError extends Error {}

const MAX_PLAYLIST_BYTES = 1024 * 1024;

/**
 * Points a runner's media playlist at the file's final name. With `single_file` fMP4 every URI
 * (the `#EXT-X-MAP` init section and each byte-range segment) names the same file, under the
 * runner's temporary name. Anything else (another file, a URL, a path) is refused.
 */
export function rewriteMediaPlaylist(content: string, runnerFileName: string, finalFileName: string): string {
  if (Buffer.byteLength(content) > MAX_PLAYLIST_BYTES) throw new InvalidPlaylistError('Resolution playlist is too large');
  const lines = content.replace(/\r\n/g, '\n').split('\n');
  if (lines[0]?.trim() !== '#EXTM3U') throw new InvalidPlaylistError('Resolution playlist does not start with #EXTM3U');
  let segments = 0;
  const out = lines.map((line) => {
    const l = line.trim();
    if (l.startsWith('#EXT-X-MAP:')) {
      return l.replace(/URI="([^"]*)"/, (_m, uri: string) => {
        if (uri !== runnerFileName) throw new InvalidPlaylistError(`Playlist map names ${uri}, not the uploaded file`);
        return `URI="${finalFileName}"`;
      });
    }
    if (l === '' || l.startsWith('#')) return l;
    if (l !== runnerFileName) throw new InvalidPlaylistError(`Playlist names ${l}, not the uploaded file`);
    segments++;
    return finalFileName;
  });
  if (segments === 0) throw new InvalidPlaylistError('Resolution playlist has no segment');
  return out.join('\n').replace(/\n*$/, '\n');
}

/** `#EXT-X-BYTERANGE:<length>@<offset>` lines, in order. */
export function byteRanges(playlist: string): { offset: number; length: number }[] {
  const ranges: { offset: number; length: number }[] = [];
  for (const line of playlist.split('\n')) {
    const m = /^#EXT-X-BYTERANGE:(\d+)@(\d+)\s*$/.exec(line.trim());
    if (m) ranges.push({ length: Number(m[1]), offset: Number(m[2]) });
  }
  return ranges;
}

/** PeerTube's key for a byte-range segment in segments-sha256.json: `<first byte>-<last byte>`. */
export function rangeKey(r: { offset: number; length: number }): string {
  return `${r.offset}-${r.offset + r.length - 1}`;
}

const H264_PROFILE_HEX: Record<string, string> = {
  baseline: '42E0',
  'constrained baseline': '42E0',
  main: '4D40',
  high: '6400',
};

/**
 * RFC 6381 codec string of a rendition (`avc1.64001F,mp4a.40.2`) for the master playlist:
 * browsers skip variants whose CODECS they cannot play, so it must describe the actual streams.
 */
export function codecsOf(probe: ProbeSummary): string {
  const codecs: string[] = [];
  if (probe.video) {
    if (probe.video.codec === 'h264') {
      const profile = H264_PROFILE_HEX[(probe.video.profile ?? 'high').toLowerCase()] ?? '6400';
      const level = Math.max(0, Math.min(255, probe.video.level ?? 31));
      codecs.push(`avc1.${profile}${level.toString(16).toUpperCase().padStart(2, '0')}`);
    } else {
      codecs.push(probe.video.codec);
    }
  }
  if (probe.audio) codecs.push(probe.audio.codec === 'aac' ? 'mp4a.40.2' : probe.audio.codec);
  return codecs.join(',');
}

export interface MasterVariant {
  playlistFileName: string;
  bandwidth: number;
  width: number | null;
  height: number | null;
  fps: number;
  codecs: string;
}

/** The master playlist: one variant per rendition, best first (players start with the first). */
export function buildMasterPlaylist(variants: MasterVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const v of variants) {
    let inf = `#EXT-X-STREAM-INF:BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))}`;
    if (v.width && v.height) inf += `,RESOLUTION=${v.width}x${v.height}`;
    if (v.fps > 0) inf += `,FRAME-RATE=${v.fps}`;
    if (v.codecs) inf += `,CODECS="${v.codecs}"`;
    lines.push(inf, v.playlistFileName);
  }
  return lines.join('\n') + '\n';
}
