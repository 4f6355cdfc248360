import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFile, type FfmpegSettings } from './ffmpeg';

/** The runner probes downloaded inputs with the same guard as the server: a manifest opens nothing else. */
describe('runner probe input guard', () => {
  const settings: FfmpegSettings = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', threads: 1, nice: 0 };
  let dir: string;
  let canary: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-runner-guard-'));
    canary = join(dir, 'canary.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', canary]);
    writeFileSync(join(dir, 'preview.jpg'), execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', '-f', 'mjpeg', 'pipe:1']));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = () => statSync(canary).atimeMs > Date.parse('2002-01-01');
  const reset = () => utimesSync(canary, new Date('2001-01-01'), new Date('2001-01-01'));

  it('refuses DASH, HLS and ffconcat inputs without opening the file they name', async () => {
    const shapes = {
      dash: `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1" codecs="avc1.64000d"><BaseURL>${canary}</BaseURL><SegmentBase indexRange="0-500"/></Representation></AdaptationSet></Period></MPD>`,
      hls: `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${canary}\n#EXT-X-ENDLIST\n`,
      concat: `ffconcat version 1.0\nfile '${canary}'\n`,
    };
    for (const [name, body] of Object.entries(shapes)) {
      const input = join(dir, `input-${name}`);
      writeFileSync(input, body);
      reset();
      await expect(probeFile(settings, input), name).rejects.toThrow(/ffprobe failed on input/);
      expect(read(), name).toBe(false);
    }
  });

  it('still probes a real video, and an image as an image', async () => {
    expect((await probeFile(settings, canary)).video?.width).toBe(160);
    expect((await probeFile(settings, join(dir, 'preview.jpg'), undefined, 'image')).video?.width).toBe(64);
    await expect(probeFile(settings, join(dir, 'preview.jpg'))).rejects.toThrow();
  });
});
