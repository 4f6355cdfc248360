import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { buildFfprobeArgs, parseFfprobeOutput, type ProbeSummary } from '@flotilla/shared';

export interface FfmpegSettings {
  ffmpegPath: string;
  ffprobePath: string;
  threads: number;
  nice: number;
}

export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

const STDERR_TAIL_BYTES = 4000;

/**
 * Runs ffmpeg directly (no shell, no wrapper library) so a runner job costs what the same command
 * costs by hand. Progress comes from `-progress pipe:1` (the builders add it): `out_time_us` against
 * the input duration. Aborting the signal kills the process.
 */
export function runFfmpeg(
  settings: FfmpegSettings,
  args: string[],
  options: { cwd: string; durationSeconds: number; signal: AbortSignal; onProgress?: (percent: number) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return reject(options.signal.reason);
    const child = spawn(settings.ffmpegPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    applyNice(child.pid, settings.nice);

    let stderr = '';
    let buffered = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
        if (m && options.durationSeconds > 0) {
          options.onProgress?.(Math.min(100, (Number(m[1]) / 1e6 / options.durationSeconds) * 100));
        }
      }
    });

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err) => {
      options.signal.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`Cannot run ${settings.ffmpegPath}: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (options.signal.aborted) return reject(options.signal.reason);
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').slice(-8).join('\n');
      reject(new FfmpegError(`ffmpeg exited with ${code ?? sig}${tail ? `: ${tail}` : ''}`));
    });
  });
}

export function probeFile(settings: FfmpegSettings, path: string, signal: AbortSignal): Promise<ProbeSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(settings.ffprobePath, buildFfprobeArgs(path), { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-STDERR_TAIL_BYTES)));
    child.on('error', (e) => reject(signal.aborted ? signal.reason : new FfmpegError(`Cannot run ffprobe: ${e.message}`)));
    child.on('close', (code) => {
      if (signal.aborted) return reject(signal.reason);
      if (code !== 0) return reject(new FfmpegError(`ffprobe failed on input: ${err.trim() || `exit ${code}`}`));
      try {
        resolve(parseFfprobeOutput(out));
      } catch (e) {
        reject(new FfmpegError(`Unreadable ffprobe output: ${(e as Error).message}`));
      }
    });
  });
}

/** Lower ffmpeg's priority so a runner on a shared machine leaves room for everything else. */
function applyNice(pid: number | undefined, nice: number): void {
  if (pid === undefined || nice === 0) return;
  try {
    setPriority(pid, Math.max(-20, Math.min(19, nice)));
  } catch {
    // Raising priority (negative nice) needs privileges; run at normal priority instead.
  }
}
