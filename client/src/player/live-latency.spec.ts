import { describe, expect, it } from 'vitest';
import { formatLiveLatency, liveHighDemandWindow, liveHlsConfig, liveLatencyOf, liveSourceOf, liveStartSegments, playlistWindow, waitForLiveWindow } from './live-latency';

describe('live settings by latency mode', () => {
  it("follows PeerTube's player for its modes (small 2 segments, default 5, high 10) and turns LL-HLS on for 100", () => {
    expect([3, 1, 2, 100, 0, null].map((m) => liveSourceOf(m))).toEqual([
      { liveSyncSegments: 2 }, { liveSyncSegments: 5 }, { liveSyncSegments: 10 }, { lowLatency: true }, {}, {},
    ]);
  });

  it('gives hls.js low-latency mode, PART-HOLD-BACK as sync distance and a maximum latency only to low-latency lives', () => {
    const ll = liveHlsConfig({ isLive: true, lowLatency: true });
    expect(ll.lowLatencyMode).toBe(true);
    expect(ll).not.toHaveProperty('liveSyncDurationCount'); // hls.js refuses counts mixed with durations
    expect(ll.liveSyncDuration).toBe(0.75);
    expect(ll.liveMaxLatencyDuration!).toBeGreaterThan(ll.liveSyncDuration! + 1);
    expect(liveHlsConfig({ isLive: true, liveSyncSegments: 2 })).toEqual({ liveSyncDurationCount: 2 });
    expect(liveHlsConfig({ isLive: false, lowLatency: true })).toEqual({});
  });
});

describe('start of a live in its first seconds', () => {
  const playlist = (n: number, ended = false) =>
    ['#EXTM3U', '#EXT-X-TARGETDURATION:4', ...Array.from({ length: n }, (_, i) => `#EXTINF:4.000,\n${i}.mp4`), ...(ended ? ['#EXT-X-ENDLIST'] : [])].join('\n');

  it('waits for 3 segments in default and high latency modes only', () => {
    expect(liveStartSegments({ isLive: true, liveSyncSegments: 5 })).toBe(3);
    expect(liveStartSegments({ isLive: true, liveSyncSegments: 10 })).toBe(3);
    expect(liveStartSegments({ isLive: true, liveSyncSegments: 2 })).toBe(0);
    expect(liveStartSegments({ isLive: true, lowLatency: true })).toBe(0);
    expect(liveStartSegments({ isLive: false, liveSyncSegments: 5 })).toBe(0);
  });

  it('counts segments and sees the end', () => {
    expect(playlistWindow(playlist(2))).toEqual({ segments: 2, ended: false });
    expect(playlistWindow(playlist(1, true))).toEqual({ segments: 1, ended: true });
  });

  it('polls until the playlist is long enough, and gives up on errors, an ended live or the time limit', async () => {
    const lengths = [1, 2, 3, 9];
    let reads = 0;
    await waitForLiveWindow('/p.m3u8', 3, { fetchText: async () => playlist(lengths[reads++]!), cancelled: () => false, intervalMs: 1 });
    expect(reads).toBe(3);

    reads = 0;
    await waitForLiveWindow('/p.m3u8', 3, { fetchText: async () => (reads++, playlist(1, true)), cancelled: () => false, intervalMs: 1 });
    expect(reads).toBe(1);

    await expect(waitForLiveWindow('/p.m3u8', 3, { fetchText: () => Promise.reject(new Error('403')), cancelled: () => false })).resolves.toBeUndefined();

    reads = 0;
    const t0 = Date.now();
    await waitForLiveWindow('/p.m3u8', 3, { fetchText: async () => (reads++, playlist(1)), cancelled: () => false, intervalMs: 5, maxWaitMs: 60 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(reads).toBeGreaterThan(2);

    reads = 0;
    await waitForLiveWindow('/p.m3u8', 3, { fetchText: async () => (reads++, playlist(1)), cancelled: () => reads >= 2, intervalMs: 1 });
    expect(reads).toBe(2);
  });
});

describe("p2p-media-loader's high-demand window for lives", () => {
  it("is PeerTube's 4 s for default and high latency, half a segment for small latency, the VOD value otherwise", () => {
    expect(liveHighDemandWindow({ isLive: true, ...liveSourceOf(1) })).toBe(4);
    expect(liveHighDemandWindow({ isLive: true, ...liveSourceOf(2) })).toBe(4);
    expect(liveHighDemandWindow({ isLive: true, ...liveSourceOf(3) })).toBe(1);
    expect(liveHighDemandWindow({ isLive: true, ...liveSourceOf(100) })).toBeUndefined();
    expect(liveHighDemandWindow({ isLive: false })).toBeUndefined();
  });
});

describe("a live viewer's latency", () => {
  const now = Date.parse('2026-01-01T12:00:10Z');

  it('is the wall clock against the PROGRAM-DATE-TIME of the frame on screen when the playlist has it', () => {
    expect(liveLatencyOf(now, new Date('2026-01-01T12:00:07.600Z'), 1.1)).toEqual({ seconds: 2.4, measured: 'clock' });
    expect(formatLiveLatency({ seconds: 2.4, measured: 'clock' })).toBe('Latency 2.4 s');
  });

  it("falls back to hls.js's estimate, shown as a lower bound, without PDT or with clocks that disagree", () => {
    expect(liveLatencyOf(now, null, 1.25)).toEqual({ seconds: 1.25, measured: 'estimate' });
    expect(liveLatencyOf(now, new Date(now + 3000), 1.25)?.measured).toBe('estimate');
    expect(liveLatencyOf(now, new Date(now - 3_600_000), 1.25)?.measured).toBe('estimate');
    expect(formatLiveLatency({ seconds: 1.25, measured: 'estimate' })).toBe('Latency ≥ 1.3 s');
  });

  it('is unknown before hls.js has a live edge', () => {
    expect(liveLatencyOf(now, null, 0)).toBeNull();
    expect(liveLatencyOf(now, null, Number.NaN)).toBeNull();
  });
});
