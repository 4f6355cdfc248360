import { describe, expect, it } from 'vitest';
import { parseFfprobeOutput, parseFrameRate } from './probe';

describe('parseFfprobeOutput', () => {
  it('reads the first real video stream and the first audio stream', () => {
    const p = parseFfprobeOutput(JSON.stringify({
      streams: [
        { codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } },
        { codec_type: 'video', codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: 1920, height: 1080, avg_frame_rate: '30000/1001', bit_rate: '4000000' },
        { codec_type: 'audio', codec_name: 'aac', channels: 2, channel_layout: 'stereo', bit_rate: '128000' },
      ],
      format: { duration: '12.5', bit_rate: '4200000', format_name: 'mov,mp4' },
    }));
    expect(p.duration).toBe(12.5);
    expect(p.video).toMatchObject({ codec: 'h264', width: 1920, height: 1080, fps: 29.97, bitrate: 4_000_000 });
    expect(p.audio).toMatchObject({ codec: 'aac', channels: 2 });
  });

  it('swaps the size of rotated phone videos', () => {
    const matrix = parseFfprobeOutput({ streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }] });
    expect(matrix.video).toMatchObject({ width: 1080, height: 1920, rotation: 270 });
    const tag = parseFfprobeOutput({ streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, tags: { rotate: '180' } }] });
    expect(tag.video).toMatchObject({ width: 1920, height: 1080, rotation: 180 });
  });

  it('treats cover art as no video', () => {
    const p = parseFfprobeOutput({ streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 10, disposition: { attached_pic: 1 } }, { codec_type: 'audio', codec_name: 'mp3' }], format: {} });
    expect(p.video).toBeNull();
    expect(p.duration).toBe(0);
  });

  it('parses frame rates defensively', () => {
    expect(parseFrameRate('25/1')).toBe(25);
    expect(parseFrameRate('0/0')).toBe(0);
    expect(parseFrameRate(undefined)).toBe(0);
  });
});
