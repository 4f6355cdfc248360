/**
 * Asks the WebSocket tracker whether anyone is already in a video's swarms (a bittorrent-tracker
 * "scrape"), so that the player holds its first HTTP requests only when peers can serve them.
 * The info hashes are derived as p2p-media-loader 2.x derives them: the swarm key of a variant is
 * `v2-<swarmId>-main-<stream short id>`, and the 20-byte infoHash is base64 of its SHA-1's first 15 bytes.
 */
import { sha1, swarmInfoHash, variantInfoHash } from '@flotilla/shared';

// The derivation lives in shared/ (the server's tracker uses it too); re-exported for the player.
export { sha1, swarmInfoHash, variantInfoHash };

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
