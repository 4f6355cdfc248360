/**
 * Works around a p2p-media-loader-core 2.3 bug that stalls playback of byte-range HLS (PeerTube's
 * layout: one fMP4 file per rendition, segments as #EXT-X-BYTERANGE) after a peer's segment is
 * refused. A segment request knows its length from the byte range; when a peer's data is thrown
 * away (our hash check refused it, or the peer sent the wrong number of bytes) the engine calls
 * `Request.clearLoadedBytes()`, which also forgets that length. Every HTTP retry then compares the
 * server's Content-Range with an unknown length, fails with "http-bytes-mismatch", and once the
 * retries are used up the segment is never loaded: the player waits forever.
 *
 * The engine does not export its Request class, so the method is patched on the prototype of the
 * first request instance reached through the engine (private fields, checked at every step: if a
 * later version renames them, nothing is patched and the real-server e2e test fails again).
 */
const PATCHED = Symbol.for('flotilla.byteRangeRetryFix');

interface RequestLike {
  segment?: { byteRange?: { start: number; end: number } };
  _totalBytes?: number;
  clearLoadedBytes?: () => void;
}

function firstRequest(engine: unknown): RequestLike | null {
  const core = (engine as { core?: { mainStreamLoader?: { requests?: { requests?: unknown } } } }).core;
  const map = core?.mainStreamLoader?.requests?.requests;
  if (!(map instanceof Map)) return null;
  for (const request of map.values()) return request as RequestLike;
  return null;
}

/** Patches the engine's Request class once it has created a request; true once patched. */
export function applyByteRangeRetryFix(engine: unknown): boolean {
  const request = firstRequest(engine);
  if (!request) return false;
  const proto = Object.getPrototypeOf(request) as RequestLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return true;
  const original = proto.clearLoadedBytes;
  if (typeof original !== 'function' || !('_totalBytes' in request)) return false;
  proto.clearLoadedBytes = function (this: RequestLike) {
    original.call(this);
    const range = this.segment?.byteRange;
    if (range) this._totalBytes = range.end - range.start + 1;
  };
  proto[PATCHED] = true;
  return true;
}
