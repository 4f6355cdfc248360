/**
 * Which tracker swarms p2p-media-loader 2.x (hls.js integration) announces for a video, computed
 * from its master playlist alone. Used by the web player (to ask the tracker who is there) and by the
 * server's tracker (to admit only swarms of videos it knows).
 *
 * The library does not number renditions: a rendition's stream id is
 * base64(SHA-1("<BANDWIDTH>-<video codecs, lowercased, sorted>-<width>-<height>----<FRAME-RATE>-<VIDEO-RANGE>")),
 * its swarm key is "v2-<swarmId>-main-<stream id>", and the 20-character info hash is base64 of the
 * first 15 bytes of SHA-1(swarm key). Flotilla uses the video's UUID as swarmId. Pure: no DOM, no node:*.
 */

/** SHA-1 (FIPS 180-1) of bytes; small and synchronous so that it runs the same everywhere. */
export function sha1(bytes: Uint8Array): Uint8Array {
  const ml = bytes.length;
  const padded = new Uint8Array(((ml + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[ml] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((ml * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (ml * 8) >>> 0);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    let [a, b, c, d, e] = h;
    for (let i = 0; i < 80; i++) {
      const [f, k] =
        i < 20 ? [(b & c) | (~b & d), 0x5a827999]
        : i < 40 ? [b ^ c ^ d, 0x6ed9eba1]
        : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
        : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + f + e + k + w[i]) >>> 0;
      e = d;
      d = c;
      c = rotl(b, 30) >>> 0;
      b = a;
      a = t;
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((v, i) => outView.setUint32(i * 4, v));
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (what the library's btoa gives). */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** UTF-8 bytes of a string (shared/ has no DOM or Node globals to lean on). */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** The 20-character info hash of a stream swarm key ("v2-<swarmId>-main-<stream id>"). */
export function swarmInfoHash(streamSwarmId: string): string {
  return base64(sha1(utf8(streamSwarmId)).subarray(0, 15));
}

export function variantInfoHash(swarmId: string, streamShortId: string, type: 'main' | 'secondary' = 'main'): string {
  return swarmInfoHash(`v2-${swarmId}-${type}-${streamShortId}`);
}

const VIDEO_CODEC = /^(avc1|avc3|avc|hvc1|hev1|dvh1|dvhe|av01|vp09|vp9|vp8)/;

export function parseAttributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.slice(line.indexOf(':') + 1).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1]] = m[2].replace(/^"|"$/g, '');
  return out;
}

/** The library's stream short id for a variant, from its #EXT-X-STREAM-INF attributes. */
export function streamShortIdFromAttributes(attrs: Record<string, string>): string {
  const bandwidth = Number(attrs.BANDWIDTH ?? 0);
  const [width, height] = (attrs.RESOLUTION ?? '').split('x');
  const codecs = (attrs.CODECS ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => VIDEO_CODEC.test(c))
    .sort()
    .join(',');
  const frameRate = attrs['FRAME-RATE'] && !Number.isNaN(Number(attrs['FRAME-RATE'])) ? String(Number(attrs['FRAME-RATE'])) : '';
  const videoRange = attrs['VIDEO-RANGE'] ? attrs['VIDEO-RANGE'].toUpperCase().trim() : '';
  const key =
    bandwidth === 0 ? `${bandwidth}--------` : `${bandwidth}-${codecs}-${width ?? ''}-${height ?? ''}----${frameRate}-${videoRange}`;
  return base64(sha1(utf8(key)));
}

/** Every main-stream info hash a viewer of this master playlist announces. */
export function swarmInfoHashesFromMaster(swarmId: string, masterPlaylist: string): string[] {
  return masterPlaylist
    .split(/\r?\n/)
    .filter((l) => l.startsWith('#EXT-X-STREAM-INF:'))
    .map((l) => variantInfoHash(swarmId, streamShortIdFromAttributes(parseAttributes(l))));
}
