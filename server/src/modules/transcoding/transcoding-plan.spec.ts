import { describe, expect, it } from 'vitest';
import type { ProbeSummary } from '@flotilla/shared';
import { planTranscoding } from './transcoding-plan';

const probe = (o: { width: number; height: number; fps?: number; codec?: string; audio?: string | null; pixFmt?: string }): ProbeSummary => ({
  duration: 20,
  bitrate: 1_000_000,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  video: { codec: o.codec ?? 'h264', profile: 'High', pixFmt: o.pixFmt ?? 'yuv420p', width: o.width, height: o.height, rotation: 0, fps: o.fps ?? 30, bitrate: null },
  audio: o.audio === null ? null : { codec: o.audio ?? 'aac', channels: 2, channelLayout: 'stereo', bitrate: null },
});

const ladder = [240, 360, 480, 720, 1080];

describe('transcoding plan', () => {
  it('makes one HLS job per enabled rung not above the input, all pending at once', () => {
    const jobs = planTranscoding({ probe: probe({ width: 1280, height: 720 }), enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: false });
    expect(jobs.map((j) => `${j.type}:${j.resolution}`)).toEqual(['vod-hls-transcoding:720', 'vod-hls-transcoding:480', 'vod-hls-transcoding:360', 'vod-hls-transcoding:240']);
    expect(jobs.every((j) => !j.afterAudioMerge)).toBe(true);
  });

  it('puts the remuxable rung first and marks it as a stream copy', () => {
    const jobs = planTranscoding({ probe: probe({ width: 1280, height: 720 }), enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: false });
    const copy = jobs.filter((j) => j.streamCopy);
    expect(copy.map((j) => j.resolution)).toEqual([720]);
    expect(copy[0].priority).toBeLessThan(Math.min(...jobs.filter((j) => !j.streamCopy).map((j) => j.priority)));
  });

  it('without a remuxable rung, the smallest rung goes first', () => {
    const jobs = planTranscoding({ probe: probe({ width: 1280, height: 720, codec: 'vp9' }), enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: false });
    expect(jobs.some((j) => j.streamCopy)).toBe(false);
    const first = [...jobs].sort((a, b) => a.priority - b.priority)[0];
    expect(first.resolution).toBe(240);
    expect(jobs.filter((j) => j.priority === first.priority)).toHaveLength(1);
  });

  it('caps fps under 720p as PeerTube does and keeps the origin fps', () => {
    const jobs = planTranscoding({ probe: probe({ width: 1280, height: 720, fps: 60 }), enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: false });
    expect(Object.fromEntries(jobs.map((j) => [j.resolution, j.fps]))).toEqual({ 720: 60, 480: 30, 360: 30, 240: 30 });
    // 60 fps input at 480p: not a copy (fps must come down).
    expect(jobs.find((j) => j.resolution === 480)!.streamCopy).toBe(false);
  });

  it('adds web video jobs when enabled, and handles inputs below every rung', () => {
    const jobs = planTranscoding({ probe: probe({ width: 320, height: 180 }), enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: true });
    expect(jobs.map((j) => `${j.type}:${j.resolution}`)).toEqual(['vod-hls-transcoding:180', 'vod-web-video-transcoding:180']);
  });

  it('portrait video uses the smaller side as its resolution', () => {
    const jobs = planTranscoding({ probe: probe({ width: 720, height: 1280 }), enabledResolutions: [240, 720, 1080], maxFps: 60, hls: true, webVideos: false });
    expect(jobs.map((j) => j.resolution)).toEqual([720, 240]);
  });

  it('audio-only uploads get an audio merge first, HLS rungs after it', () => {
    const audio: ProbeSummary = { ...probe({ width: 1, height: 1 }), video: null };
    const jobs = planTranscoding({ probe: audio, enabledResolutions: ladder, maxFps: 60, hls: true, webVideos: true });
    expect(jobs[0]).toMatchObject({ type: 'vod-audio-merge-transcoding', resolution: 480, afterAudioMerge: false });
    expect(jobs.slice(1).map((j) => j.resolution)).toEqual([480, 360, 240]);
    expect(jobs.slice(1).every((j) => j.afterAudioMerge && j.type === 'vod-hls-transcoding')).toBe(true);
  });
});
