import { describe, expect, it } from 'vitest';
import type { ProbeSummary } from './probe';
import { decideStreamCopy } from './stream-copy';

function probe(video: Partial<NonNullable<ProbeSummary['video']>> | null, audio: Partial<NonNullable<ProbeSummary['audio']>> | null = { codec: 'aac' }): ProbeSummary {
  return {
    duration: 10,
    bitrate: 3_000_000,
    formatName: 'mov,mp4',
    video: video && { codec: 'h264', profile: 'High', level: 40, pixFmt: 'yuv420p', width: 1280, height: 720, rotation: 0, fps: 30, bitrate: null, ...video },
    audio: audio && { codec: 'aac', profile: 'LC', channels: 2, channelLayout: 'stereo', bitrate: null, ...audio },
  };
}

describe('decideStreamCopy', () => {
  it('copies browser-playable H.264/AAC at exactly the rung', () => {
    expect(decideStreamCopy(probe({}), { resolution: 720, fps: 30 })).toEqual({ copy: true });
    expect(decideStreamCopy(probe({}, null), { resolution: 720, fps: 30 })).toEqual({ copy: true });
    expect(decideStreamCopy(probe({ width: 720, height: 1280 }), { resolution: 720, fps: 30 }).copy).toBe(true);
    expect(decideStreamCopy(probe({ fps: 29.97 }), { resolution: 720, fps: 30 }).copy).toBe(true);
  });

  it('encodes everything else, saying why', () => {
    const no = (p: ProbeSummary, t = { resolution: 720, fps: 30 }) => decideStreamCopy(p, t);
    expect(no(probe({}), { resolution: 480, fps: 30 })).toMatchObject({ copy: false, reason: expect.stringContaining('720p') });
    expect(no(probe({ codec: 'hevc' }))).toMatchObject({ copy: false, reason: expect.stringContaining('hevc') });
    expect(no(probe({ pixFmt: 'yuv420p10le' }))).toMatchObject({ copy: false });
    expect(no(probe({ profile: 'High 10' }))).toMatchObject({ copy: false });
    expect(no(probe({}, { codec: 'opus' }))).toMatchObject({ copy: false, reason: expect.stringContaining('opus') });
    expect(no(probe({ fps: 60 }))).toMatchObject({ copy: false, reason: expect.stringContaining('fps') });
    expect(no(probe(null))).toMatchObject({ copy: false });
    expect(no(probe({ rotation: 90 }))).toMatchObject({ copy: false, reason: expect.stringContaining('rotated') });
    expect(decideStreamCopy(probe({}), { resolution: 0, fps: 0 }).copy).toBe(false);
    expect(decideStreamCopy(probe({}), { resolution: 720, fps: 30, separatedAudioInput: true }).copy).toBe(false);
  });
});
