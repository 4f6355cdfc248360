import { describe, expect, it } from 'vitest';
import { liveHlsConfig, liveSourceOf } from './live-latency';

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
