import { describe, expect, it } from 'vitest';
import { planVodTranscoding } from './plan';
import type { ProbeSummary } from './probe';

const video = (width: number, height: number, fps = 30): ProbeSummary => ({
  duration: 60, bitrate: null, formatName: 'mp4',
  video: { codec: 'h264', profile: 'High', level: 40, pixFmt: 'yuv420p', width, height, rotation: 0, fps, bitrate: null },
  audio: { codec: 'aac', profile: 'LC', channels: 2, channelLayout: 'stereo', bitrate: null },
});
const ladder = [144, 240, 360, 480, 720, 1080, 1440, 2160];

describe('planVodTranscoding', () => {
  it('plans one HLS job per rung not above the input, the highest first, lower rungs fps-capped', () => {
    const jobs = planVodTranscoding({ probe: video(1920, 1080, 60), enabledResolutions: ladder, hls: true, webVideos: false });
    expect(jobs.map((j) => [j.resolution, j.fps, j.first])).toEqual([
      [1080, 60, true], [720, 60, false], [480, 30, false], [360, 30, false], [240, 30, false], [144, 30, false],
    ]);
    expect(jobs.every((j) => j.type === 'vod-hls-transcoding' && !j.dependsOnFirst)).toBe(true);
  });

  it('adds web videos without planning any (type, resolution) twice', () => {
    const jobs = planVodTranscoding({ probe: video(1280, 720), enabledResolutions: [720, 720, 360], hls: true, webVideos: true });
    const keys = jobs.map((j) => `${j.type}@${j.resolution}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(['vod-hls-transcoding@720', 'vod-web-video-transcoding@720', 'vod-hls-transcoding@360', 'vod-web-video-transcoding@360']);
    expect(jobs.filter((j) => j.first)).toHaveLength(1);
  });

  it('starts audio-only uploads with an audio merge that the other rungs wait for', () => {
    const probe: ProbeSummary = { ...video(1, 1), video: null };
    const jobs = planVodTranscoding({ probe, enabledResolutions: [240, 480, 720], hls: true, webVideos: true });
    expect(jobs[0]).toMatchObject({ type: 'vod-audio-merge-transcoding', resolution: 480, first: true });
    expect(jobs.slice(1).map((j) => `${j.type}@${j.resolution}`)).toEqual([
      'vod-hls-transcoding@480', 'vod-hls-transcoding@240', 'vod-web-video-transcoding@240',
    ]);
    expect(jobs.slice(1).every((j) => j.dependsOnFirst)).toBe(true);
  });

  it('keeps a portrait input by its smaller side and a tiny input at its own size', () => {
    expect(planVodTranscoding({ probe: video(1080, 1920), enabledResolutions: [720], hls: true, webVideos: false }).map((j) => j.resolution)).toEqual([1080, 720]);
    expect(planVodTranscoding({ probe: video(160, 120), enabledResolutions: [720], hls: true, webVideos: false, includeInputResolution: false }).map((j) => j.resolution)).toEqual([120]);
  });
});
