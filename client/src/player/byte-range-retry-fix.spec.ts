import { describe, expect, it } from 'vitest';
import { applyByteRangeRetryFix } from './byte-range-retry-fix';

/** The shape of p2p-media-loader-core 2.3's Request, as far as the fix relies on it. */
function fakeEngine() {
  class Request {
    _totalBytes: number | undefined;
    constructor(readonly segment: { byteRange?: { start: number; end: number } }) {
      if (segment.byteRange) this._totalBytes = segment.byteRange.end - segment.byteRange.start + 1;
    }
    clearLoadedBytes() {
      this._totalBytes = undefined;
    }
  }
  const requests = new Map<number, Request>();
  return { Request, requests, engine: { core: { mainStreamLoader: { requests: { requests } } } } };
}

describe('applyByteRangeRetryFix', () => {
  it('keeps the byte-range length of a request whose loaded bytes are thrown away', () => {
    const { Request, requests, engine } = fakeEngine();
    expect(applyByteRangeRetryFix(engine)).toBe(false); // no request yet
    requests.set(0, new Request({ byteRange: { start: 1000, end: 1999 } }));
    expect(applyByteRangeRetryFix(engine)).toBe(true);
    const other = new Request({ byteRange: { start: 5, end: 14 } });
    other.clearLoadedBytes();
    expect(other._totalBytes).toBe(10);
    const whole = new Request({});
    whole._totalBytes = 123;
    whole.clearLoadedBytes();
    expect(whole._totalBytes).toBeUndefined(); // whole-file segments: length unknown again, as before
  });

  it('does nothing on an engine of another shape', () => {
    expect(applyByteRangeRetryFix({})).toBe(false);
    expect(applyByteRangeRetryFix({ core: { mainStreamLoader: { requests: { requests: new Map([[0, {}]]) } } } })).toBe(false);
  });
});
