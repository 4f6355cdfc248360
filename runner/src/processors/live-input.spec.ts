import { describe, expect, it } from 'vitest';
import { buildLiveArgs } from './live-hls.processor';
import { mustRestart, probeFromHint, type LiveProbe } from './live-input';

const job = { url: 'rtmp://127.0.0.1:1935/live/key', toTranscode: [{ resolution: 720, fps: 30 }, { resolution: 360, fps: 30 }], segmentDuration: 2, segmentListSize: 15, outputDir: '/tmp/out', threads: 1 };
const hint = {
  video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
  audio: { codec: 'aac', bitrate: 128_000, channels: 2 },
};
/** What the runner decides once its probe is in, ffmpeg having been started from the hint. */
const decide = (probed: LiveProbe) => mustRestart(buildLiveArgs({ ...job, probe: probeFromHint(hint)! }).args, buildLiveArgs({ ...job, probe: probed }).args);

describe('live runner: starting from the server hint, checked by the probe', () => {
  it('without a hint there is nothing to start from: the runner probes first (PeerTube servers)', () => {
    expect(probeFromHint(undefined)).toBeNull();
  });

  it('keeps ffmpeg running when the probe differs only in what the command does not use', () => {
    expect(decide({ video: { codec: 'h264', width: 1280, height: 720, fps: 29.97 }, audio: { codec: 'aac', bitrate: 0, channels: 1 } })).toBe(false);
  });

  it('restarts when the real codec changes copy into encode', () => {
    expect(decide({ video: { codec: 'hevc', width: 1280, height: 720, fps: 30 }, audio: hint.audio })).toBe(true);
  });

  it('restarts when the real size differs from the announced one', () => {
    expect(decide({ video: { codec: 'h264', width: 640, height: 360, fps: 30 }, audio: hint.audio })).toBe(true);
  });

  it('restarts when the announced audio is not there, or is not copyable', () => {
    expect(decide({ video: hint.video, audio: null })).toBe(true);
    expect(decide({ video: hint.video, audio: { codec: 'mp3', bitrate: 128_000, channels: 2 } })).toBe(true);
  });

  it('restarts when the real frame rate is above what the copied rung allows', () => {
    expect(decide({ video: { ...hint.video, fps: 60 }, audio: hint.audio })).toBe(true);
  });
});
