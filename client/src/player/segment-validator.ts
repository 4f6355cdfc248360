/**
 * Checks segments received from peers against the video's segments-sha256.json before the player
 * may use them. PeerTube's format:
 *   { "<segment file name>": "<sha256>" }                                (separate files, e.g. live)
 *   { "<segment file name>": { "<start>-<end>": "<sha256>" } }          (byte ranges, end inclusive)
 * For VOD the file name is the rendition's `…-fragmented.mp4`. Some writers key by the rendition
 * playlist instead (`….m3u8`), so that name is tried as well.
 */
import { sha256Hex } from './sha256';

export type SegmentsSha256Json = Record<string, string | Record<string, string>>;
export interface ByteRangeInclusive {
  start: number;
  end: number;
}

export function segmentFileName(url: string): string {
  const path = url.split(/[?#]/)[0];
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Candidate outer keys for a segment URL: its own file name, then its rendition playlist's. */
export function candidateFileKeys(url: string): string[] {
  const name = segmentFileName(url);
  const keys = [name];
  if (name.endsWith('-fragmented.mp4')) keys.push(name.replace(/-fragmented\.mp4$/, '.m3u8'));
  return keys;
}

/** The expected hash of a segment, or undefined when the JSON does not know it. */
export function expectedHash(json: SegmentsSha256Json, url: string, byteRange?: ByteRangeInclusive): string | undefined {
  for (const key of candidateFileKeys(url)) {
    const entry = json[key];
    if (entry === undefined) continue;
    if (typeof entry === 'string') return byteRange ? undefined : entry;
    if (!byteRange) return undefined;
    return entry[`${byteRange.start}-${byteRange.end}`];
  }
  return undefined;
}

export interface SegmentValidatorOptions {
  /** Loads segments-sha256.json (with auth headers when the video is private). */
  loadJson: () => Promise<SegmentsSha256Json>;
  /** Minimum delay between two reloads of the JSON when a segment is unknown (ms). */
  reloadIntervalMs?: number;
  /**
   * Lives: the JSON grows with every segment, and a peer may offer one published just after the
   * last load. An unknown segment then waits until a reload is allowed and is checked against it,
   * instead of being refused at once (VOD: refused, its JSON never changes).
   */
  waitForNewHashes?: boolean;
  hash?: (data: ArrayBuffer) => Promise<string>;
  onReject?: (info: { url: string; byteRange?: ByteRangeInclusive; reason: 'unknown' | 'mismatch'; bytes: number }) => void;
  now?: () => number;
}

/** Builds p2p-media-loader's `validateP2PSegment` hook (a segment the JSON does not know is refused). */
export function createSegmentValidator(opts: SegmentValidatorOptions) {
  const hash = opts.hash ?? sha256Hex;
  const reloadInterval = opts.reloadIntervalMs ?? 3000;
  const now = opts.now ?? Date.now;
  let json: Promise<SegmentsSha256Json> | null = null;
  let loadedAt = 0;

  const load = (): Promise<SegmentsSha256Json> => {
    loadedAt = now();
    json = opts.loadJson().catch(() => ({}) as SegmentsSha256Json);
    return json;
  };

  return async function validate(url: string, byteRange: ByteRangeInclusive | undefined, data: ArrayBuffer): Promise<boolean> {
    let hashes = await (json ?? load());
    let expected = expectedHash(hashes, url, byteRange);
    // The JSON grows while renditions/live segments are added: reload it, at most every few seconds.
    if (expected === undefined) {
      const wait = reloadInterval - (now() - loadedAt);
      if (wait > 0 && opts.waitForNewHashes) {
        const seen = loadedAt;
        await new Promise((r) => setTimeout(r, wait));
        // Another segment's wait may have reloaded it meanwhile. (Not a clock comparison: a timer
        // may fire a millisecond before Date.now() says the interval is over.)
        if (loadedAt === seen) await load();
        hashes = await json!;
        expected = expectedHash(hashes, url, byteRange);
      } else if (wait <= 0) {
        hashes = await load();
        expected = expectedHash(hashes, url, byteRange);
      }
    }
    if (expected === undefined) {
      opts.onReject?.({ url, byteRange, reason: 'unknown', bytes: data.byteLength });
      return false;
    }
    const actual = await hash(data);
    if (actual !== expected.toLowerCase()) {
      opts.onReject?.({ url, byteRange, reason: 'mismatch', bytes: data.byteLength });
      return false;
    }
    return true;
  };
}

/** One key per segment: its URL without query and its byte range. */
export function segmentKey(url: string, byteRange?: ByteRangeInclusive): string {
  return `${url.split(/[?#]/)[0]}|${byteRange ? `${byteRange.start}-${byteRange.end}` : ''}`;
}

/**
 * p2p-media-loader keeps the bytes of a peer transfer that did not finish (the peer left, went
 * quiet, or the engine moved the segment to HTTP) and lets the HTTP attempt resume after them, or,
 * when every byte had arrived before the transfer was called off, completes the segment from them
 * with no further request. The result is labelled "http" and only `validateHTTPSegment` sees it,
 * so peer bytes would reach the player unchecked. This guard marks each segment a peer started to
 * send and checks such a segment's final data against the hashes like a peer segment (refused →
 * the engine drops the bytes and fetches the whole segment over HTTP); segments that only ever came
 * from the server pass without hashing. (A segment a peer delivered whole, fetched again later over
 * HTTP, is hashed once more: `onSegmentLoaded` does not say which byte range it was.)
 */
export function createMixedSourceGuard(validatePeerData: (url: string, byteRange: ByteRangeInclusive | undefined, data: ArrayBuffer) => Promise<boolean>) {
  const touchedByPeer = new Set<string>();
  return {
    /** `onSegmentStart` with a peer as the source. */
    peerAttemptStarted(url: string, byteRange?: ByteRangeInclusive): void {
      touchedByPeer.add(segmentKey(url, byteRange));
    },
    /** p2p-media-loader's `validateHTTPSegment` hook. */
    async validateHttp(url: string, byteRange: ByteRangeInclusive | undefined, data: ArrayBuffer): Promise<boolean> {
      const key = segmentKey(url, byteRange);
      if (!touchedByPeer.has(key)) return true;
      // Checked once: if refused, the engine clears the bytes and the next attempt is server-only.
      touchedByPeer.delete(key);
      return validatePeerData(url, byteRange, data);
    },
  };
}
