import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import ffmpeg, { type FfmpegCommand, type FfprobeData } from 'fluent-ffmpeg';
import {
  FFPROBE_ENTRIES,
  inputGuardOptions,
  type InputKind,
  parseFfprobeOutput,
  type FfmpegCommandSpec,
  type ProbeSummary,
  type RawProbe,
  type RawStream,
} from '@flotilla/shared';

export interface FfmpegSettings {
  ffmpegPath: string;
  ffprobePath: string;
  threads: number;
  nice: number;
  /**
   * An ffmpeg whose output time has not advanced for this long is hung (a stuck decoder, a blocked
   * disk): it is killed and the job errored. The heartbeat alone would keep the job held forever.
   */
  progressTimeoutMs?: number;
}

export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/** Lines of ffmpeg's stderr put in the error sent to the server. */
const STDERR_TAIL_LINES = 8;

/** fluent-ffmpeg sets `ffmpegProc` while the process runs; its typings leave it out. */
type RunningCommand = FfmpegCommand & { ffmpegProc?: ChildProcess };
/** fluent-ffmpeg's path lookups, called before every spawn; its typings leave them out. */
type PathLookups = {
  /** Ours: the path pinned by `newCommand`. */
  ffmpegPath: string;
  _getFfmpegPath(cb: (err: Error | null, path: string) => void): void;
  _getFfprobePath(cb: (err: Error | null, path: string) => void): void;
};

/**
 * A fluent-ffmpeg command for these settings, with nothing run yet. fluent-ffmpeg 2.1.3 stores the
 * path given to `setFfmpegPath`/`setFfprobePath` in one module-wide cache (the instance methods write
 * it too) and reads it asynchronously just before spawning, so two daemons in one process with
 * different paths would race. The lookups are therefore pinned on this instance as well.
 */
function newCommand(settings: FfmpegSettings, options: ffmpeg.FfmpegCommandOptions = {}): FfmpegCommand {
  const command = ffmpeg(options).setFfmpegPath(settings.ffmpegPath).setFfprobePath(settings.ffprobePath);
  const lookups = command as unknown as PathLookups;
  lookups.ffmpegPath = settings.ffmpegPath;
  lookups._getFfmpegPath = (cb) => cb(null, settings.ffmpegPath);
  lookups._getFfprobePath = (cb) => cb(null, settings.ffprobePath);
  return command;
}

/**
 * The fluent-ffmpeg form of a command built in `shared/src/transcoding`. fluent-ffmpeg lays a command
 * out as: each input's options and `-i`, `-y` (file output), output options, output. It has no
 * ffmpeg-wide options of its own, so those lead the first input's options: the spawned line is then
 * exactly `ffmpegArgs(spec)`. Options are passed as separate arguments, never as one array, because
 * fluent-ffmpeg splits array items holding one space ("-preset fast") into two.
 */
export function createFfmpegCommand(settings: FfmpegSettings, spec: FfmpegCommandSpec, cwd: string): FfmpegCommand {
  const command = newCommand(settings, {
    cwd,
    // Spawned as `nice -n N ffmpeg ...`; 19 is the lowest priority Linux gives.
    niceness: Math.max(-20, Math.min(19, settings.nice)),
  });
  spec.inputs.forEach((input, i) => {
    command.input(input.path);
    const options = i === 0 ? [...spec.globalOptions, ...input.options] : input.options;
    addOptions(options, (...o) => command.inputOptions(...o));
  });
  addOptions(spec.outputOptions, (...o) => command.outputOptions(...o));
  return command.output(spec.output);
}

function addOptions(options: string[], add: (...options: string[]) => unknown): void {
  // One lone option would still go through the splitting path; the builders never make one (an
  // option without its value), and the command-line test would catch it.
  if (options.length > 0) add(...options);
}

interface RunOptions {
  /** Input length, for the percentage. */
  durationSeconds: number;
  signal: AbortSignal;
  onProgress?: (percent: number) => void;
  /** See FfmpegSettings.progressTimeoutMs; none when absent. */
  progressTimeoutMs?: number;
}

/**
 * Runs a command made by `createFfmpegCommand`; resolves when ffmpeg has exited successfully.
 * Progress comes from `-progress pipe:1` (the builders add it): `out_time_us` against the input
 * duration, read from the child's stdout. fluent-ffmpeg's own `progress` event is not used: it parses
 * the stderr stats line (which `-loglevel error -nostats` turns off) and runs an extra ffprobe of the
 * input for every command. Aborting the signal SIGKILLs ffmpeg; the promise settles once it is gone.
 */
export async function runFfmpeg(command: FfmpegCommand, options: RunOptions): Promise<void> {
  await assertRunnable((command as unknown as PathLookups).ffmpegPath);
  return supervise(command, options);
}

function supervise(command: FfmpegCommand, options: RunOptions): Promise<void> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const running = command as RunningCommand;
    let proc: ChildProcess | null = null;
    // fluent-ffmpeg checks capabilities before spawning: an abort then is applied on start.
    const onAbort = () => {
      if (running.ffmpegProc) command.kill('SIGKILL');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let stalled = false;
    const stall = new ProgressWatchdog(options.progressTimeoutMs, () => {
      stalled = true;
      command.kill('SIGKILL');
    });
    const settle = (err: Error | null) => {
      signal.removeEventListener('abort', onAbort);
      stall.stop();
      if (stalled && !signal.aborted) return reject(new FfmpegError(`ffmpeg made no progress for ${Math.round(options.progressTimeoutMs! / 1000)} s: killed`));
      if (signal.aborted) reject(signal.reason);
      else if (err) reject(err);
      else resolve();
    };

    command.on('start', () => {
      proc = running.ffmpegProc!;
      if (signal.aborted) return void command.kill('SIGKILL');
      stall.start();
      if (proc.stdout) readProgress(proc.stdout, options, () => stall.advanced());
    });
    command.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      // Read from the process, not from an 'exit' listener: fluent-ffmpeg may report before those run.
      const exit = proc?.exitCode ?? proc?.signalCode ?? null;
      if (exit === null) {
        // Not spawned, or the spawn failed (bad ffmpeg path): there is no ffmpeg output to show.
        return settle(new FfmpegError(`Cannot run ffmpeg: ${err.message}`));
      }
      const lines = (stderr ?? '').trim().split('\n').filter(Boolean).slice(-STDERR_TAIL_LINES).join('\n');
      settle(new FfmpegError(`ffmpeg exited with ${exit}${lines ? `: ${lines}` : ''}`));
    });
    command.on('end', () => settle(null));
    command.run();
  });
}

/**
 * Before its first command in a process, fluent-ffmpeg checks the output format and encoders against
 * `ffmpeg -formats` and `ffmpeg -encoders` (about 0.2 s; cached for the process after that). The
 * daemon runs those checks when it starts, so the first job does not pay for them. Rejects when
 * ffmpeg cannot be run.
 */
export async function warmUpFfmpeg(settings: FfmpegSettings): Promise<void> {
  await assertRunnable(settings.ffmpegPath);
  const command = newCommand(settings);
  await new Promise<void>((resolve, reject) => {
    command.availableFormats((err) => {
      if (err) return reject(new FfmpegError(`Cannot run ffmpeg: ${(err as Error).message}`));
      command.availableEncoders((e) => (e ? reject(new FfmpegError(`Cannot run ffmpeg: ${(e as Error).message}`)) : resolve()));
    });
  });
}

/**
 * fluent-ffmpeg 2.1.3 throws an uncaught TypeError (it reads output buffers that do not exist yet)
 * when spawning ffmpeg itself fails, which would bring the whole runner down: a missing or
 * non-executable ffmpeg is therefore caught here first. (With a niceness, `nice` is spawned and
 * reports a missing ffmpeg as exit 127 instead.)
 */
async function assertRunnable(program: string): Promise<void> {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return;
  }
  throw new FfmpegError(`Cannot run ffmpeg: ${program} is not an executable file${program.includes('/') ? '' : ' in PATH'}`);
}

/** Fires once when `advanced()` was not called for `timeoutMs` since `start()` (off without a timeout). */
class ProgressWatchdog {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly timeoutMs: number | undefined,
    private readonly onStall: () => void,
  ) {}
  start(): void {
    if (!this.timeoutMs) return;
    this.stop();
    this.timer = setTimeout(this.onStall, this.timeoutMs);
  }
  advanced(): void {
    if (this.timer) this.start();
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function readProgress(stdout: NodeJS.ReadableStream, options: RunOptions, onAdvance: () => void): void {
  let lastOutTime = -1;
  let buffered = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
      // Progress blocks keep coming while ffmpeg is stuck: only output time moving forward counts.
      if (m && Number(m[1]) > lastOutTime) {
        lastOutTime = Number(m[1]);
        onAdvance();
      }
      if (m && options.durationSeconds > 0) {
        options.onProgress?.(Math.min(100, (Number(m[1]) / 1e6 / options.durationSeconds) * 100));
      }
    }
  });
}

/**
 * ffprobe through fluent-ffmpeg, read into the same `ProbeSummary` as ffprobe's JSON output gives
 * (see `fromFluentProbe`). fluent-ffmpeg gives no handle on the ffprobe process, so an abort rejects
 * at once and ffprobe, which only reads the probe window of a local file, ends on its own.
 */
export function probeFile(
  settings: FfmpegSettings,
  path: string,
  signal: AbortSignal = new AbortController().signal,
  kind: InputKind = 'media',
): Promise<ProbeSummary> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    newCommand(settings)
      .input(path)
      .ffprobe(['-v', 'error', ...inputGuardOptions(kind), '-show_entries', FFPROBE_ENTRIES], (err: Error | null, data: FfprobeData) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return reject(signal.reason);
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          return reject(new FfmpegError(`Cannot run ${settings.ffprobePath}: ${err.message}`));
        }
        if (err) {
          // fluent-ffmpeg's message is "ffprobe exited with code N" then ffprobe's stderr.
          const detail = err.message.replace(/^ffprobe exited with code \d+\n?/, '').trim();
          return reject(new FfmpegError(`ffprobe failed on input: ${detail || err.message}`));
        }
        try {
          resolve(parseFfprobeOutput(fromFluentProbe(data)));
        } catch (e) {
          reject(new FfmpegError(`Unreadable ffprobe output: ${(e as Error).message}`));
        }
      });
  });
}

type Loose = Record<string, unknown>;

/**
 * fluent-ffmpeg reads ffprobe's default key=value writer, which differs from the JSON one that
 * `parseFfprobeOutput` knows: every value that looks like a number becomes one ("5.0" → 5), absent
 * values are printed as placeholders ("N/A", "unknown") where JSON leaves the field out, and side
 * data keys land flat in the stream (`rotation`, as a string when negative). This puts them back.
 */
export function fromFluentProbe(data: FfprobeData): RawProbe {
  const format = data.format as Loose;
  return {
    streams: data.streams.map((s) => fromFluentStream(s as Loose)),
    format: { duration: text(format.duration), bit_rate: text(format.bit_rate), format_name: text(format.format_name) },
  };
}

function fromFluentStream(s: Loose): RawStream {
  const disposition = s.disposition as Loose | undefined;
  const tags = s.tags as Loose | undefined;
  const rotation = num(s.rotation);
  return {
    codec_type: text(s.codec_type),
    codec_name: text(s.codec_name),
    profile: text(s.profile),
    pix_fmt: text(s.pix_fmt),
    width: num(s.width),
    height: num(s.height),
    avg_frame_rate: text(s.avg_frame_rate),
    r_frame_rate: text(s.r_frame_rate),
    bit_rate: text(s.bit_rate),
    level: num(s.level),
    channels: num(s.channels),
    // Layout names are "5.1", "4.0"…: a whole number can only have lost its ".0".
    channel_layout: typeof s.channel_layout === 'number' && Number.isInteger(s.channel_layout)
      ? s.channel_layout.toFixed(1)
      : text(s.channel_layout),
    duration: text(s.duration),
    disposition: disposition ? { attached_pic: num(disposition.attached_pic) } : undefined,
    tags: tags?.rotate !== undefined ? { rotate: String(tags.rotate) } : undefined,
    side_data_list: rotation !== undefined ? [{ rotation }] : undefined,
  };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === 'N/A' || value === 'unknown') return undefined;
  return String(value);
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
