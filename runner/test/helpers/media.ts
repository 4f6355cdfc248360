import { tempDir } from './tmp';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Small synthetic inputs made with the real ffmpeg. */
export function makeMedia() {
  const dir = tempDir('flotilla-runner-media-');
  const ff = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  const h264 = join(dir, 'h264-720p.mp4');
  ff('-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-shortest', h264);
  const long = join(dir, 'long-360p.mkv');
  ff('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-t', '120', '-c:v', 'mpeg4', '-q:v', '10', long);
  const image = join(dir, 'preview.jpg');
  ff('-f', 'lavfi', '-i', 'testsrc2=size=800x600:rate=1', '-frames:v', '1', image);
  const audio = join(dir, 'audio.mp3');
  ff('-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=44100', '-t', '4', '-ac', '2', audio);
  const broken = join(dir, 'broken.mp4');
  writeFileSync(broken, Buffer.from('this is not a video file at all'));
  return { dir, h264, long, image, audio, broken };
}

export function probeJson(file: string): { streams: { codec_type: string; width?: number; height?: number }[]; format: { duration: string } } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString());
}
