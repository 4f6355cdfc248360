import { describe, expect, it } from 'vitest';
import { audioCodecString, buildMasterPlaylist, hlsCodecs, mediaPlaylistFile, renameMediaPlaylistFile, videoCodecString } from './hls-playlist';
import type { ProbeSummary } from './probe';

const probe: ProbeSummary = {
  duration: 10, bitrate: null, formatName: 'mp4',
  video: { codec: 'h264', profile: 'High', level: 31, pixFmt: 'yuv420p', width: 1280, height: 720, rotation: 0, fps: 30, bitrate: null },
  audio: { codec: 'aac', profile: 'LC', channels: 2, channelLayout: 'stereo', bitrate: null },
};

describe('codec strings', () => {
  it('states H.264 profile and level and the AAC object type', () => {
    expect(hlsCodecs(probe)).toBe('avc1.64001f,mp4a.40.2');
    expect(videoCodecString({ ...probe.video!, profile: 'Main', level: 40 })).toBe('avc1.4d4028');
    expect(videoCodecString({ ...probe.video!, profile: 'Constrained Baseline', level: 30 })).toBe('avc1.42e01e');
    expect(videoCodecString({ ...probe.video!, codec: 'hevc' })).toBeNull();
    expect(audioCodecString({ ...probe.audio!, profile: 'HE-AAC' })).toBe('mp4a.40.5');
    expect(audioCodecString({ ...probe.audio!, profile: 'HE-AACv2' })).toBe('mp4a.40.29');
    expect(hlsCodecs({ ...probe, video: null })).toBe('mp4a.40.2');
  });
});

describe('buildMasterPlaylist', () => {
  it('lists variants best first with their attributes', () => {
    const text = buildMasterPlaylist([
      { uri: 'u-480.m3u8', bandwidth: 1_000_000, width: 854, height: 480, fps: 30, codecs: 'avc1.64001f,mp4a.40.2' },
      { uri: 'u-720.m3u8', bandwidth: 2_500_000, width: 1280, height: 720, fps: 30, codecs: 'avc1.64001f,mp4a.40.2' },
    ]);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines[3]).toBe('#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,FRAME-RATE=30.000,CODECS="avc1.64001f,mp4a.40.2"');
    expect(lines[4]).toBe('u-720.m3u8');
    expect(lines[6]).toBe('u-480.m3u8');
  });
});

describe('media playlist renaming', () => {
  it('points the map and every segment at the new file name', () => {
    const original = [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="/tmp/job/out/abc-720-fragmented.mp4",BYTERANGE="1375@0"',
      '#EXTINF:4.000000,', '#EXT-X-BYTERANGE:390317@1375', 'abc-720-fragmented.mp4', '#EXT-X-ENDLIST', '',
    ].join('\n');
    expect(mediaPlaylistFile(original)).toBe('/tmp/job/out/abc-720-fragmented.mp4');
    const renamed = renameMediaPlaylistFile(original, 'v1-720-fragmented.mp4');
    expect(renamed).toContain('#EXT-X-MAP:URI="v1-720-fragmented.mp4",BYTERANGE="1375@0"');
    expect(renamed).toContain('#EXT-X-BYTERANGE:390317@1375\nv1-720-fragmented.mp4\n#EXT-X-ENDLIST');
    expect(renamed).not.toContain('abc');
  });
});
