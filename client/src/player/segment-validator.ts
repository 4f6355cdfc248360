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
  hash?: (data: ArrayBuffer) => Promise<string>;
  onReject?: (info: { url: string; byteRange?: ByteRangeInclusive; reason: 'unknown' | 'mismatch'; bytes: number }) => void;
  now?: () => number;
}

/** Builds p2p-media-loader's `validateP2PSegment` hook. */
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
    if (expected === undefined && now() - loadedAt >= reloadInterval) {
      hashes = await load();
      expected = expectedHash(hashes, url, byteRange);
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
