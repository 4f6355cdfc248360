/**
 * Asks the WebSocket tracker whether anyone is already in a video's swarms (a bittorrent-tracker
 * "scrape"), so that the player holds its first HTTP requests only when peers can serve them.
 * The info hashes are derived as p2p-media-loader 2.x derives them: the swarm key of a variant is
 * `v2-<swarmId>-main-<stream short id>`, and the 20-byte infoHash is base64 of its SHA-1's first 15 bytes.
 */
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
        i < 20 ? [(b & c) | (~b & d), 0x5a827999] : i < 40 ? [b ^ c ^ d, 0x6ed9eba1] : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + f + e + k + w[i]) >>> 0;
      e = d; d = c; c = rotl(b, 30) >>> 0; b = a; a = t;
    }
    h[0] = (h[0] + a) >>> 0; h[1] = (h[1] + b) >>> 0; h[2] = (h[2] + c) >>> 0; h[3] = (h[3] + d) >>> 0; h[4] = (h[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((v, i) => outView.setUint32(i * 4, v));
  return out;
}

export function swarmInfoHash(streamSwarmId: string): string {
  const digest = sha1(new TextEncoder().encode(streamSwarmId)).subarray(0, 15);
  return btoa(String.fromCharCode(...digest));
}

export function variantInfoHash(swarmId: string, streamShortId: string, type: 'main' | 'secondary' = 'main'): string {
  return swarmInfoHash(`v2-${swarmId}-${type}-${streamShortId}`);
}

/** Number of peers (seeders + leechers) the tracker knows in these swarms; null when it did not answer. */
export function probeSwarm(trackerUrl: string, infoHashes: string[], timeoutMs = 700): Promise<number | null> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(trackerUrl);
    } catch {
      resolve(null);
      return;
    }
    const finish = (value: number | null) => {
      clearTimeout(timer);
      try {
        ws.close();
      } catch {
        /* already closed */
      }
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    ws.onerror = () => finish(null);
    ws.onopen = () => ws.send(JSON.stringify({ action: 'scrape', info_hash: infoHashes }));
    ws.onmessage = (ev) => {
      try {
        const msg = JSON.parse(String(ev.data)) as { action?: string; files?: Record<string, { complete?: number; incomplete?: number }> };
        if (msg.action !== 'scrape') return;
        finish(countPeers(msg.files ?? {}));
      } catch {
        finish(null);
      }
    };
  });
}

export function countPeers(files: Record<string, { complete?: number; incomplete?: number }>): number {
  return Object.values(files).reduce((sum, f) => sum + (f.complete ?? 0) + (f.incomplete ?? 0), 0);
}
