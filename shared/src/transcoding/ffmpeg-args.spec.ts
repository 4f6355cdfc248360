import { describe, expect, it } from 'vitest';
import { buildAudioMergeArgs, buildAudioMergeCommand, buildHlsArgs, buildWebVideoArgs, ffmpegArgs, scaleFilter } from './ffmpeg-args';
import { inputGuardOptions } from './input-guard';
import type { ProbeSummary } from './probe';
import { hlsPlaylistFileName, hlsPlaylistFileNameFor, hlsVideoFileName } from './profile';

const probe: ProbeSummary = {
  duration: 10,
  bitrate: 5_000_000,
  formatName: 'mov,mp4',
  video: { codec: 'h264', profile: 'High', level: 40, pixFmt: 'yuv420p', width: 1920, height: 1080, rotation: 0, fps: 30, bitrate: 4_800_000 },
  audio: { codec: 'aac', profile: 'LC', channels: 6, channelLayout: '5.1', bitrate: 384_000 },
};

/** The value following a flag. */
function opt(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('buildHlsArgs', () => {
  const base = { input: '/w/input', probe, videoFileName: 'u-720-fragmented.mp4', playlistFileName: 'u-720.m3u8' };

  it('makes one fMP4 file with 4 s segments and a VOD playlist', () => {
    const args = buildHlsArgs({ ...base, resolution: 720, fps: 30, threads: 3 });
    expect(opt(args, '-f')).toBe('hls');
    expect(opt(args, '-hls_time')).toBe('4');
    expect(opt(args, '-hls_segment_type')).toBe('fmp4');
    expect(opt(args, '-hls_flags')).toBe('single_file');
    expect(opt(args, '-hls_playlist_type')).toBe('vod');
    expect(opt(args, '-hls_segment_filename')).toBe('u-720-fragmented.mp4');
    expect(args.at(-1)).toBe('u-720.m3u8');
    expect(opt(args, '-threads')).toBe('3');
  });

  it('encodes with the profile: x264, scaled, keyframes every 2 s so 4 s segment cuts fall on them', () => {
    const args = buildHlsArgs({ ...base, resolution: 720, fps: 30 });
    expect(opt(args, '-c:v')).toBe('libx264');
    expect(opt(args, '-preset')).toBe('veryfast');
    expect(opt(args, '-pix_fmt')).toBe('yuv420p');
    expect(opt(args, '-vf')).toBe('scale=w=-2:h=720');
    expect(opt(args, '-r')).toBe('30');
    expect(opt(args, '-g')).toBe('60');
    expect(opt(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    // 5.1 AAC is re-encoded to stereo.
    expect(opt(args, '-c:a')).toBe('aac');
    expect(opt(args, '-ac')).toBe('2');
  });

  it('remuxes with copy codecs when told to', () => {
    const stereo = { ...probe, audio: { ...probe.audio!, channels: 2 } };
    const args = buildHlsArgs({ ...base, probe: stereo, resolution: 1080, fps: 30, copy: true });
    expect(opt(args, '-c:v')).toBe('copy');
    expect(opt(args, '-c:a')).toBe('copy');
    expect(args).not.toContain('-vf');
    expect(args).not.toContain('libx264');
  });

  it('splits audio and video renditions', () => {
    const video = buildHlsArgs({ ...base, resolution: 720, fps: 30, noAudio: true });
    expect(video.filter((a) => a === '-map')).toHaveLength(1);
    expect(video).not.toContain('-c:a');
    const audio = buildHlsArgs({ ...base, resolution: 0, fps: 0 });
    expect(opt(audio, '-map')).toBe('0:a:0');
    expect(audio).not.toContain('-c:v');
  });

  it('takes audio from a separated input', () => {
    const args = buildHlsArgs({ ...base, audioInput: '/w/audio', audioProbe: { ...probe, video: null }, resolution: 720, fps: 30 });
    expect(args.filter((a, i) => args[i - 1] === '-map')).toEqual(['0:v:0', '1:a:0']);
    const audioOnly = buildHlsArgs({ ...base, audioInput: '/w/audio', audioProbe: { ...probe, video: null }, resolution: 0, fps: 0 });
    expect(audioOnly.filter((a, i) => audioOnly[i - 1] === '-i')).toEqual(['/w/audio']);
  });

  it('refuses when there is nothing to output', () => {
    expect(() => buildHlsArgs({ ...base, probe: { ...probe, audio: null }, resolution: 0, fps: 0 })).toThrow();
  });
});

describe('other builders', () => {
  it('writes web videos with faststart', () => {
    const args = buildWebVideoArgs({ input: 'in', probe, resolution: 480, fps: 30, outputFileName: 'out.mp4', progress: true });
    expect(opt(args, '-movflags')).toBe('+faststart');
    expect(opt(args, '-progress')).toBe('pipe:1');
    expect(args.at(-1)).toBe('out.mp4');
  });

  it('loops the image for exactly the audio length in an audio merge', () => {
    const args = buildAudioMergeArgs({ imageInput: 'p.jpg', audioInput: 'a.mp3', imageSize: { width: 800, height: 600 }, audio: { codec: 'mp3', profile: null, channels: 2, channelLayout: 'stereo', bitrate: null }, resolution: 480, fps: 25, durationSeconds: 5, outputFileName: 'o.mp4' });
    expect(opt(args, '-loop')).toBe('1');
    expect(opt(args, '-tune')).toBe('stillimage');
    expect(opt(args, '-t')).toBe('5.000');
    expect(args).toContain('-shortest');
    expect(opt(args, '-vf')).toBe('scale=w=-2:h=480');
  });

  it('scales portrait by width and skips scaling at the same size', () => {
    expect(scaleFilter({ width: 1080, height: 1920 }, 720)).toBe('scale=w=720:h=-2');
    expect(scaleFilter({ width: 1280, height: 720 }, 720)).toBeNull();
    expect(scaleFilter({ width: 1281, height: 720 }, 720)).toBe('scale=w=-2:h=720');
    expect(scaleFilter({ width: 853, height: 479 }, 479)).toBe('scale=w=-2:h=478');
  });

  it("names HLS files as PeerTube does", () => {
    expect(hlsVideoFileName('u', 720)).toBe('u-720-fragmented.mp4');
    expect(hlsPlaylistFileName('u', 720)).toBe('u-720.m3u8');
    expect(hlsPlaylistFileNameFor('u-720-fragmented.mp4')).toBe('u-720.m3u8');
  });
});

describe('commands in parts', () => {
  const merge = { imageInput: 'p.jpg', audioInput: 'a.mp3', audio: null, resolution: 480, fps: 25, outputFileName: 'o.mp4', progress: true };

  it('keeps each input with its own options, and ffmpeg-wide flags apart', () => {
    const spec = buildAudioMergeCommand(merge);
    expect(spec.inputs).toEqual([
      { path: 'p.jpg', options: [...inputGuardOptions('image'), '-loop', '1', '-framerate', '25'] },
      { path: 'a.mp3', options: inputGuardOptions('media') },
    ]);
    expect(spec.globalOptions).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats']);
    expect(spec.output).toBe('o.mp4');
    expect(spec.outputOptions).not.toContain('-i');
  });

  it('flattens to flags, inputs, -y, output options, output: the layout fluent-ffmpeg spawns', () => {
    const spec = buildAudioMergeCommand(merge);
    const args = ffmpegArgs(spec);
    expect(args).toEqual(buildAudioMergeArgs(merge));
    expect(args.slice(0, 7)).toEqual(spec.globalOptions);
    const guard = (kind: 'image' | 'media') => inputGuardOptions(kind);
    const inputs = [...guard('image'), '-loop', '1', '-framerate', '25', '-i', 'p.jpg', ...guard('media'), '-i', 'a.mp3', '-y'];
    expect(args.slice(7, 7 + inputs.length)).toEqual(inputs);
    expect(args.slice(7 + inputs.length)).toEqual([...spec.outputOptions, 'o.mp4']);
  });
});
