import { describe, expect, it } from 'vitest';
import { decideStreamCopy, parseFfprobeOutput } from '@flotilla/shared';
import { probeColumns, probeOfSource, type VideoSourceModel } from './video-source.model';

/** What the ingest writes to video_source, read back as the planner reads it. */
function roundTrip(probe: ReturnType<typeof parseFfprobeOutput>) {
  const row = {
    duration: probe.duration,
    formatName: probe.formatName,
    width: probe.video?.width ?? null,
    height: probe.video?.height ?? null,
    fps: probe.video?.fps ?? null,
    videoCodec: probe.video?.codec ?? null,
    audioCodec: probe.audio?.codec ?? null,
    ...probeColumns(probe),
  };
  return probeOfSource(row as unknown as VideoSourceModel);
}

describe('stored probe', () => {
  it('gives the planner the same facts as a second ffprobe would', () => {
    const probe = parseFfprobeOutput({
      format: { duration: '10.0', bit_rate: '900000', format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
      streams: [
        { codec_type: 'video', codec_name: 'h264', profile: 'High', level: 30, pix_fmt: 'yuv420p', width: 640, height: 360, avg_frame_rate: '25/1', bit_rate: '800000' },
        { codec_type: 'audio', codec_name: 'aac', profile: 'LC', channels: 2, channel_layout: 'stereo', bit_rate: '96000' },
      ],
    });
    const stored = roundTrip(probe);
    expect(stored).toEqual(probe);
    expect(decideStreamCopy(stored, { resolution: 360, fps: 25 })).toEqual({ copy: true });
  });

  it('keeps a rotation and a 10-bit pixel format, which forbid a remux', () => {
    const probe = parseFfprobeOutput({
      format: { duration: '3' },
      streams: [{ codec_type: 'video', codec_name: 'h264', profile: 'High 10', pix_fmt: 'yuv420p10le', width: 1920, height: 1080, avg_frame_rate: '30/1', tags: { rotate: '90' } }],
    });
    const stored = roundTrip(probe);
    expect(stored).toEqual(probe);
    expect(stored.video).toMatchObject({ rotation: 90, pixFmt: 'yuv420p10le', width: 1080, height: 1920 });
    expect(stored.audio).toBeNull();
  });

  it('stores an audio-only upload without a video stream', () => {
    const probe = parseFfprobeOutput({ format: { duration: '5' }, streams: [{ codec_type: 'audio', codec_name: 'mp3', channels: 1 }] });
    expect(roundTrip(probe)).toEqual(probe);
  });
});
