import { spawn } from 'node:child_process';
import type { LiveStreamHint } from '@flotilla/shared';
import { FfmpegError } from './ffmpeg';

/** What the live's RTMP input holds, as far as the ffmpeg command cares. */
export interface LiveProbe {
  video: { codec: string; width: number; height: number; fps: number } | null;
  audio: { codec: string; bitrate: number; channels: number } | null;
}

/**
 * How much of the RTMP input ffprobe and ffmpeg read before deciding what it holds. Their defaults
 * (5 s, and frame-rate guessing over many frames) make a runner taking a live over wait seconds
 * more; the server's GOP cache hands both streams' headers and a keyframe at once, and the reading
 * stops as soon as both streams are known, so 1 s / 1 MB is only an upper bound.
 */
export const INPUT_PROBE_ARGS = ['-analyzeduration', '1000000', '-probesize', '1000000', '-fpsprobesize', '8'];

function fpsOf(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split('/').map(Number);
  return d ? n! / d : (n ?? 0);
}

/** ffprobe of the RTMP input: which streams, codecs and sizes (the runner decides copy or encode from it). */
export async function probeLive(ffprobePath: string, url: string, signal: AbortSignal): Promise<LiveProbe> {
  const out = await runCollect(ffprobePath, ['-v', 'error', '-rw_timeout', '10000000', ...INPUT_PROBE_ARGS, '-show_streams', '-of', 'json', url], 20_000, signal);
  const streams = (JSON.parse(out) as { streams?: Array<Record<string, unknown>> }).streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  return {
    video: v ? { codec: String(v.codec_name), width: Number(v.width) || 0, height: Number(v.height) || 0, fps: fpsOf(String(v.avg_frame_rate ?? v.r_frame_rate ?? '')) || 30 } : null,
    audio: a ? { codec: String(a.codec_name), bitrate: Number(a.bit_rate) || 0, channels: Number(a.channels) || 0 } : null,
  };
}

function runCollect(cmd: string, args: string[], timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new FfmpegError(`cannot read the live input: ${err.trim().split('\n').slice(-2).join(' | ') || `ffprobe exited with ${code}`}`));
    });
  });
}

/** The server's hint (Flotilla's `input.streamHint`) read as a probe, to start ffmpeg before ffprobe answers. */
export function probeFromHint(hint: LiveStreamHint | undefined): LiveProbe | null {
  if (!hint) return null;
  return { video: { ...hint.video }, audio: hint.audio ? { ...hint.audio } : null };
}

/**
 * Whether ffmpeg, started from the hint, must be restarted once the runner's own probe is in: only
 * when the command the probe gives differs from the one running (a frame rate of 29.97 against an
 * announced 30, or an audio bitrate the metadata did not give, change nothing).
 */
export function mustRestart(running: string[], probed: string[]): boolean {
  return running.length !== probed.length || running.some((a, i) => a !== probed[i]);
}
