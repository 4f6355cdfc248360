/**
 * Which tracker swarms a viewer of a video announces to, computed from the master playlist alone.
 * p2p-media-loader-hlsjs 2.3 does NOT number renditions 0, 1, 2…: a rendition's stream id is
 * base64(SHA-1("<BANDWIDTH>-<video codecs>-<width>-<height>----<FRAME-RATE>-<VIDEO-RANGE>")), and
 * the 20-character infoHash is base64 of the first 15 bytes of SHA-1("v2-<uuid>-main-<stream id>").
 * A tracker that only admits known swarms must derive them this way. Pure (no DOM), so a server can reuse it.
 */
import { sha1 } from './tracker-probe';

const VIDEO_CODEC = /^(avc1|avc3|avc|hvc1|hev1|dvh1|dvhe|av01|vp09|vp9|vp8)/;

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

export function parseAttributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.slice(line.indexOf(':') + 1).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1]] = m[2].replace(/^"|"$/g, '');
  return out;
}

/** Mirrors generateStreamShortId() for a variant of a master playlist as hls.js parses it. */
export function streamShortIdFromAttributes(attrs: Record<string, string>): string {
  const bandwidth = Number(attrs.BANDWIDTH ?? 0);
  const missing = bandwidth === 0;
  const [width, height] = (attrs.RESOLUTION ?? '').split('x');
  const codecs = (attrs.CODECS ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => VIDEO_CODEC.test(c))
    .sort()
    .join(',');
  const frameRate = attrs['FRAME-RATE'] && !Number.isNaN(Number(attrs['FRAME-RATE'])) ? String(Number(attrs['FRAME-RATE'])) : '';
  const videoRange = attrs['VIDEO-RANGE'] ? attrs['VIDEO-RANGE'].toUpperCase().trim() : '';
  const key = missing
    ? `${bandwidth}--------`
    : `${bandwidth}-${codecs}-${width ?? ''}-${height ?? ''}----${frameRate}-${videoRange}`;
  return b64(sha1(new TextEncoder().encode(key)));
}

export function swarmInfoHashesFromMaster(swarmId: string, masterPlaylist: string): string[] {
  return masterPlaylist
    .split(/\r?\n/)
    .filter((l) => l.startsWith('#EXT-X-STREAM-INF:'))
    .map((l) => {
      const id = `v2-${swarmId}-main-${streamShortIdFromAttributes(parseAttributes(l))}`;
      return b64(sha1(new TextEncoder().encode(id)).subarray(0, 15));
    });
}
