import { describe, expect, it } from 'vitest';
import { streamHintOf } from './live-stream-hint';

describe('live job stream hint from the publisher metadata', () => {
  it('names FLV codec ids as ffprobe does, audio bitrate in b/s', () => {
    expect(streamHintOf({ width: 1280, height: 720, fps: 30, videoCodec: 7, audioCodec: 10, audioChannels: 2, audioDatarate: 125 })).toEqual({
      video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
      audio: { codec: 'aac', bitrate: 125_000, channels: 2 },
    });
  });

  it('reads enhanced-RTMP FourCCs, as numbers or strings', () => {
    const hint = streamHintOf({ width: 1920, height: 1080, fps: 60, videoCodec: 0x68766331, audioCodec: 'Opus', audioChannels: 2 });
    expect(hint?.video.codec).toBe('hevc');
    expect(hint?.audio).toEqual({ codec: 'opus', bitrate: 0, channels: 2 });
  });

  it('says no audio when none was announced, and unknown for ids it does not know', () => {
    expect(streamHintOf({ width: 640, height: 360, fps: 25, videoCodec: 99 })).toEqual({ video: { codec: 'unknown', width: 640, height: 360, fps: 25 }, audio: null });
  });

  it('gives no hint without metadata or with sizes that make no sense', () => {
    expect(streamHintOf(null)).toBeUndefined();
    expect(streamHintOf({ width: 0, height: 720, fps: 30, videoCodec: 7 })).toBeUndefined();
  });
});
