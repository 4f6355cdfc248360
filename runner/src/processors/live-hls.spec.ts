import { describe, expect, it } from 'vitest';
import { buildLiveArgs, cutPlaylistAfter } from './live-hls.processor';

const probe = (codec = 'h264', width = 1280, height = 720, fps = 30) => ({
  video: { codec, width, height, fps },
  audio: { codec: 'aac', bitrate: 128_000, channels: 2 },
});
const base = { url: 'rtmp://127.0.0.1:1935/live/key', segmentDuration: 2, segmentListSize: 15, outputDir: '/tmp/out', threads: 2 };

describe('live runner: ffmpeg arguments', () => {
  it('copies the top rung when it is H.264 at the input resolution, encodes the others with a keyframe per segment', () => {
    const { args, copied } = buildLiveArgs({ ...base, probe: probe(), toTranscode: [{ resolution: 720, fps: 30 }, { resolution: 360, fps: 30 }] });
    expect(copied).toEqual([720]);
    const line = args.join(' ');
    expect(line).toContain('-c:v:0 copy');
    expect(line).toContain('-c:v:1 libx264');
    expect(line).toContain('-filter:v:1 scale=-2:360');
    expect(line).toContain('-g:v:1 60');
    expect(line).toContain('-c:a copy');
    expect(line).toContain('-var_stream_map v:0,a:0 v:1,a:1');
    expect(line).toContain('-hls_flags delete_segments+independent_segments+program_date_time');
    expect(line).toContain('-hls_segment_filename /tmp/out/%v-%06d.ts');
    expect(line).toContain('-master_pl_name master.m3u8');
  });

  it('copies the top rung only when the measured keyframe interval fits a segment; encodes it with a keyframe per segment otherwise', () => {
    const rungs = [{ resolution: 720, fps: 30 }];
    expect(buildLiveArgs({ ...base, probe: probe(), toTranscode: rungs, keyframeInterval: 2 }).copied).toEqual([720]);
    expect(buildLiveArgs({ ...base, probe: probe(), toTranscode: rungs, keyframeInterval: 1 }).copied).toEqual([720]);
    const sparse = buildLiveArgs({ ...base, probe: probe(), toTranscode: rungs, keyframeInterval: 10 });
    expect(sparse.copied).toEqual([]);
    expect(sparse.args.join(' ')).toContain('-c:v:0 libx264');
    expect(sparse.args.join(' ')).toContain('-g:v:0 60');
    // A 60 fps source remuxed (the server asks for 60): copied.
    expect(buildLiveArgs({ ...base, probe: probe('h264', 1280, 720, 60), toTranscode: [{ resolution: 720, fps: 60 }] }).copied).toEqual([720]);
  });

  it('encodes everything when the input is not H.264, and scales portrait video by its width', () => {
    const { args, copied } = buildLiveArgs({ ...base, probe: probe('hevc', 720, 1280), toTranscode: [{ resolution: 720, fps: 30 }] });
    expect(copied).toEqual([]);
    expect(args.join(' ')).toContain('-filter:v:0 scale=720:-2');
  });

  it('refuses an input without video', () => {
    expect(() => buildLiveArgs({ ...base, probe: { video: null, audio: probe().audio }, toTranscode: [{ resolution: 720, fps: 30 }] })).toThrow(/no video/);
  });
});

describe('live runner: playlist cut after the chunk being sent', () => {
  const playlist = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n0-000001.ts\n#EXTINF:2.0,\n0-000002.ts\n';
  it('never names a chunk the server has not got', () => {
    expect(cutPlaylistAfter(playlist, '0-000001.ts')).toBe('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n0-000001.ts\n');
  });
  it('sends an ended playlist whole', () => {
    const ended = `${playlist}#EXT-X-ENDLIST\n`;
    expect(cutPlaylistAfter(ended, '0-000001.ts')).toBe(ended);
  });
});
