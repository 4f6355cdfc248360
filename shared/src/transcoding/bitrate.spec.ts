import { describe, expect, it } from 'vitest';
import { averageBitrate, maxBitrate, minBitrate, targetBitrate } from './bitrate';

describe('bitrate targets', () => {
  const hd = { resolution: 1080, ratio: 16 / 9, fps: 30 };

  it('follows bits per pixel per frame by class', () => {
    expect(averageBitrate(hd)).toBe(Math.floor(1080 * 1920 * 30 * 0.1));
    expect(maxBitrate(hd)).toBe(Math.floor(1080 * 1920 * 30 * 0.17));
    expect(minBitrate(hd)).toBe(Math.floor(1080 * 1920 * 30 * 0.02));
  });

  it('treats portrait ratios by their long side', () => {
    expect(averageBitrate({ resolution: 1080, ratio: 9 / 16, fps: 30 })).toBe(averageBitrate(hd));
  });

  it('uses the class at or below a non-ladder resolution', () => {
    expect(averageBitrate({ resolution: 1000, ratio: 1, fps: 30 })).toBe(Math.floor(1000 * 1000 * 30 * 0.11));
  });

  it('falls back to fixed values for audio only', () => {
    expect(averageBitrate({ resolution: 0, ratio: 0, fps: 0 })).toBe(192_000);
  });

  it('never targets much above the input nor below the floor', () => {
    expect(targetBitrate({ ...hd, inputBitrate: 1_000_000 })).toBe(1_300_000);
    expect(targetBitrate({ ...hd, inputBitrate: 10_000 })).toBe(minBitrate(hd));
    expect(targetBitrate(hd)).toBe(averageBitrate(hd));
  });
});
