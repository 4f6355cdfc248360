import { describe, expect, it } from 'vitest';
import { computeOutputFps, computeResolutionsToTranscode, resolutionOf, scaledDimensions } from './resolutions';

describe('computeOutputFps', () => {
  const fps = (inputFps: number, resolution: number, isOriginResolution = false, maxFps?: number) =>
    computeOutputFps({ inputFps, resolution, isOriginResolution, maxFps });

  it('brings low rungs above 30 fps down to a divisor-friendly standard rate', () => {
    expect(fps(60, 480)).toBe(30);
    expect(fps(50, 360)).toBe(25);
    expect(fps(48, 240)).toBe(24);
    expect(fps(59.94, 144)).toBe(30);
  });

  it('keeps rates of 30 and below on low rungs', () => {
    expect(fps(29.97, 240)).toBe(29.97);
    expect(fps(23.976, 480)).toBe(23.976);
  });

  it('keeps high fps on 720p and above, capped at the maximum for transcoded rungs', () => {
    expect(fps(60, 720)).toBe(60);
    expect(fps(50, 1080)).toBe(50);
    expect(fps(120, 1080)).toBe(60);
    expect(fps(100, 720)).toBe(50);
  });

  it("never touches the origin resolution's fps except the 1 fps floor", () => {
    expect(fps(120, 1080, true)).toBe(120);
    expect(fps(60, 480, true)).toBe(60);
    expect(fps(0.5, 480, true)).toBe(1);
  });

  it('honours a lower configured maximum', () => {
    expect(fps(60, 1080, false, 30)).toBe(30);
    expect(fps(60, 480, false, 20)).toBe(20);
  });

  it('returns 0 for audio only and refuses absurd inputs', () => {
    expect(fps(30, 0)).toBe(0);
    expect(() => fps(0.01, 720)).toThrow(RangeError);
  });
});

describe('computeResolutionsToTranscode', () => {
  const all = [0, 144, 240, 360, 480, 720, 1080, 1440, 2160];

  it('takes enabled rungs not above the input, highest first, once each', () => {
    expect(computeResolutionsToTranscode({ inputResolution: 720, enabledResolutions: all })).toEqual([720, 480, 360, 240, 144]);
    expect(computeResolutionsToTranscode({ inputResolution: 720, enabledResolutions: [720, 720, 360] })).toEqual([720, 360]);
  });

  it('adds a non-ladder input resolution unless told not to', () => {
    expect(computeResolutionsToTranscode({ inputResolution: 1000, enabledResolutions: [480, 1080] })).toEqual([1000, 480]);
    expect(computeResolutionsToTranscode({ inputResolution: 1000, enabledResolutions: [480, 1080], includeInput: false })).toEqual([480]);
  });
});

describe('geometry', () => {
  it('uses the smaller side as the resolution class', () => {
    expect(resolutionOf(1920, 1080)).toBe(1080);
    expect(resolutionOf(1080, 1920)).toBe(1080);
  });

  it('scales keeping the ratio with even sizes', () => {
    expect(scaledDimensions({ width: 1920, height: 1080 }, 480)).toEqual({ width: 854, height: 480 });
    expect(scaledDimensions({ width: 1080, height: 1920 }, 360)).toEqual({ width: 360, height: 640 });
  });
});
