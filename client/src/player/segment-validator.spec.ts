import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { candidateFileKeys, createMixedSourceGuard, createSegmentValidator, expectedHash, segmentFileName, type SegmentsSha256Json } from './segment-validator';
import { sha256Fallback, sha256Hex, toHex } from './sha256';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const seg = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const file = 'https://v.example/static/streaming-playlists/hls/u1/3b9c-720-fragmented.mp4?videoFileToken=t';

describe('segments-sha256.json lookup', () => {
  const good = seg(100, 1);
  const json: SegmentsSha256Json = {
    '3b9c-720-fragmented.mp4': { '0-99': sha(good), '100-199': sha(seg(100, 2)) },
    'live-0-000012.ts': sha(seg(10, 9)),
    '77aa-480.m3u8': { '0-9': 'abc' },
  };

  it('keys by the segment file name, without query', () => {
    expect(segmentFileName(file)).toBe('3b9c-720-fragmented.mp4');
    expect(candidateFileKeys(file)).toEqual(['3b9c-720-fragmented.mp4', '3b9c-720.m3u8']);
  });

  it('uses inclusive byte ranges "<start>-<end>" for fMP4', () => {
    expect(expectedHash(json, file, { start: 0, end: 99 })).toBe(sha(good));
    expect(expectedHash(json, file, { start: 0, end: 100 })).toBeUndefined();
  });

  it('reads whole-file hashes (live segments)', () => {
    expect(expectedHash(json, '/static/streaming-playlists/hls/u1/live-0-000012.ts')).toBe(sha(seg(10, 9)));
    expect(expectedHash(json, '/x/live-0-000012.ts', { start: 0, end: 9 })).toBeUndefined();
  });

  it('falls back to the rendition playlist name', () => {
    expect(expectedHash(json, '/x/77aa-480-fragmented.mp4', { start: 0, end: 9 })).toBe('abc');
  });
});

describe('validateP2PSegment', () => {
  const good = seg(100, 1);
  const json: SegmentsSha256Json = { '3b9c-720-fragmented.mp4': { '0-99': sha(good) } };

  it('accepts a segment whose SHA-256 matches', async () => {
    const validate = createSegmentValidator({ loadJson: async () => json });
    expect(await validate(file, { start: 0, end: 99 }, good.buffer)).toBe(true);
  });

  it('refuses a tampered segment and reports it', async () => {
    const onReject = vi.fn();
    const validate = createSegmentValidator({ loadJson: async () => json, onReject });
    const bad = good.slice();
    bad[50] ^= 0xff;
    expect(await validate(file, { start: 0, end: 99 }, bad.buffer)).toBe(false);
    expect(onReject).toHaveBeenCalledWith(expect.objectContaining({ reason: 'mismatch' }));
  });

  it('refuses unknown segments, reloading the JSON at most once per interval', async () => {
    let now = 0;
    const loadJson = vi.fn(async () => json);
    const validate = createSegmentValidator({ loadJson, now: () => now, reloadIntervalMs: 1000 });
    expect(await validate('/x/other-fragmented.mp4', { start: 0, end: 9 }, seg(10, 0).buffer)).toBe(false);
    expect(loadJson).toHaveBeenCalledTimes(1);
    now = 1500;
    expect(await validate('/x/other-fragmented.mp4', { start: 0, end: 9 }, seg(10, 0).buffer)).toBe(false);
    expect(loadJson).toHaveBeenCalledTimes(2);
  });

  it('picks up hashes published after the first load', async () => {
    let now = 0;
    const later = seg(20, 5);
    const versions: SegmentsSha256Json[] = [{}, { 'n-fragmented.mp4': { '0-19': sha(later) } }];
    const validate = createSegmentValidator({ loadJson: async () => versions.shift() ?? {}, now: () => now, reloadIntervalMs: 1000 });
    expect(await validate('/n-fragmented.mp4', { start: 0, end: 19 }, later.buffer)).toBe(false);
    now = 2000;
    expect(await validate('/n-fragmented.mp4', { start: 0, end: 19 }, later.buffer)).toBe(true);
  });

  it('live: a segment published just after the last load waits for the next reload instead of being refused', async () => {
    const fresh = seg(16, 3);
    const versions: SegmentsSha256Json[] = [{}, { 'live-7.ts': sha(fresh) }];
    const loadJson = vi.fn(async () => versions.shift() ?? {});
    const validate = createSegmentValidator({ loadJson, reloadIntervalMs: 40, waitForNewHashes: true });
    const started = Date.now();
    expect(await validate('/hls/live-7.ts', undefined, fresh.buffer)).toBe(true);
    expect(loadJson).toHaveBeenCalledTimes(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    // Still unknown after that reload: refused (a bogus name costs one reload per interval, no more).
    expect(await validate('/hls/bogus.ts', undefined, fresh.buffer)).toBe(false);
    expect(loadJson).toHaveBeenCalledTimes(3);
  });

  it('live: segments waiting together share one reload', async () => {
    const a = seg(16, 4);
    const b = seg(16, 5);
    const versions: SegmentsSha256Json[] = [{}, { 'live-8.ts': sha(a), 'live-9.ts': sha(b) }];
    const loadJson = vi.fn(async () => versions.shift() ?? {});
    const validate = createSegmentValidator({ loadJson, reloadIntervalMs: 40, waitForNewHashes: true });
    expect(await Promise.all([validate('/hls/live-8.ts', undefined, a.buffer), validate('/hls/live-9.ts', undefined, b.buffer)])).toEqual([true, true]);
    expect(loadJson).toHaveBeenCalledTimes(2);
  });

  it('treats a failed JSON download as "nothing is trusted"', async () => {
    const validate = createSegmentValidator({ loadJson: () => Promise.reject(new Error('offline')) });
    expect(await validate(file, { start: 0, end: 99 }, good.buffer)).toBe(false);
  });
});

describe('validateHTTPSegment: segments a peer started to send', () => {
  const good = seg(100, 1);
  const range = { start: 0, end: 99 };
  const json: SegmentsSha256Json = { '3b9c-720-fragmented.mp4': { '0-99': sha(good) } };
  const setup = () => {
    const rejected: string[] = [];
    const validate = createSegmentValidator({ loadJson: async () => json, onReject: ({ reason }) => rejected.push(reason) });
    return { guard: createMixedSourceGuard(validate), rejected };
  };

  it('lets server-only segments through without hashing them', async () => {
    const { guard, rejected } = setup();
    expect(await guard.validateHttp(file, range, seg(100, 7).buffer)).toBe(true);
    expect(rejected).toEqual([]);
  });

  it('checks data a peer had part in: a corrupt peer prefix completed over HTTP is refused, once', async () => {
    const { guard, rejected } = setup();
    guard.peerAttemptStarted(file, range);
    // Same segment, other token in the query: still the same segment.
    const mixed = new Uint8Array(good);
    mixed[99] ^= 0xff;
    expect(await guard.validateHttp(file.replace('=t', '=other'), range, mixed.buffer)).toBe(false);
    expect(rejected).toEqual(['mismatch']);
    // The engine dropped the bytes; the next attempt came whole from the server.
    expect(await guard.validateHttp(file, range, seg(100, 7).buffer)).toBe(true);
  });

  it('accepts mixed data that matches, and only marks the segment the peer was asked for', async () => {
    const { guard } = setup();
    guard.peerAttemptStarted(file, range);
    expect(await guard.validateHttp(file, { start: 100, end: 199 }, seg(100, 7).buffer)).toBe(true);
    expect(await guard.validateHttp(file, range, good.buffer)).toBe(true);
  });
});

describe('sha256', () => {
  it('matches Node for WebCrypto and the pure fallback', async () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000]) {
      const data = new Uint8Array(n).map((_, i) => (i * 13 + n) & 0xff);
      expect(toHex(sha256Fallback(data))).toBe(sha(data));
      expect(await sha256Hex(data)).toBe(sha(data));
    }
  });
});
