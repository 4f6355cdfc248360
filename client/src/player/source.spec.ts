import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../api/types';
import { p2pAllowedFor } from './source';

const config = { tracker: { enabled: true } } as unknown as ServerConfig;
const video = (id: number) => ({ privacy: { id, label: '' } });

describe('p2pAllowedFor', () => {
  it('shares public and unlisted videos only, as PeerTube', () => {
    expect(p2pAllowedFor(config, video(1))).toBe(true);
    expect(p2pAllowedFor(config, video(2))).toBe(true);
    expect(p2pAllowedFor(config, video(3))).toBe(false); // private
    expect(p2pAllowedFor(config, video(4))).toBe(false); // internal
    expect(p2pAllowedFor(config, video(5))).toBe(false); // password-protected
  });

  it('follows the instance when it has no tracker', () => {
    expect(p2pAllowedFor({ tracker: { enabled: false } } as unknown as ServerConfig, video(1))).toBe(false);
  });
});

describe('live sync distance by latency mode', () => {
  it("follows PeerTube's player: small 2 segments, default 5, high 10, unknown hls.js's own", async () => {
    const { liveSyncSegmentsOf } = await import('./source');
    expect([3, 1, 2, 0, null].map((m) => liveSyncSegmentsOf(m))).toEqual([2, 5, 10, undefined, undefined]);
  });
});
