import { spawn, type ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import type { ApiClient } from '../../../client/src/api/http';

/**
 * A real ffmpeg publisher: a small test pattern with a tone, H.264 (ultrafast, a keyframe every
 * second) + AAC over RTMP, at real-time pace. `stop()` quits it cleanly; `kill()` SIGKILLs it.
 */
export class Publisher {
  output = '';
  /** When ffmpeg (at verbose log level) said its TCP connection to the RTMP server was up. */
  connectedAt: number | null = null;
  readonly exited: Promise<number | null>;
  private constructor(readonly proc: ChildProcess) {
    proc.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      this.output = (this.output + text).slice(-4000);
      if (this.connectedAt === null && text.includes('Successfully connected')) this.connectedAt = Date.now();
    });
    this.exited = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
  }

  /** `noMetadata`: no onMetaData (ffmpeg's `-flvflags no_metadata`), as some encoders send. */
  /** `keyframeEvery`: seconds between keyframes (default 1). */
  static start(rtmpUrl: string, o: { size?: string; fps?: number; seconds?: number; audioOnly?: boolean; verbose?: boolean; noMetadata?: boolean; keyframeEvery?: number } = {}): Publisher {
    const fps = o.fps ?? 15;
    const gop = String(Math.round(fps * (o.keyframeEvery ?? 1)));
    if (o.audioOnly) {
      const audio = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', rtmpUrl];
      return new Publisher(spawn('ffmpeg', audio, { stdio: ['pipe', 'ignore', 'pipe'] }));
    }
    const args = [
      '-hide_banner', '-loglevel', o.verbose ? 'verbose' : 'error', '-re',
      '-f', 'lavfi', '-i', `testsrc2=size=${o.size ?? '320x240'}:rate=${fps}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      ...(o.seconds ? ['-t', String(o.seconds)] : []),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', '64k', '-threads', '1',
      ...(o.noMetadata ? ['-flvflags', 'no_metadata'] : []),
      '-f', 'flv', rtmpUrl,
    ];
    return new Publisher(spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] }));
  }

  /** Quits like a streamer pressing stop (ffmpeg closes the RTMP session). */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.stdin!.write('q');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

export interface LiveInfo {
  rtmpUrl: string;
  streamKey: string;
}

export async function createLive(api: ApiClient, channelId: number, body: Record<string, unknown>): Promise<{ id: number; uuid: string; live: LiveInfo }> {
  const { video } = await api.request<{ video: { id: number; uuid: string } }>('POST', '/api/v1/videos/live', { json: { channelId, privacy: 1, ...body } });
  const live = await api.get<LiveInfo>(`/api/v1/videos/live/${video.id}`);
  return { ...video, live };
}

/** A one-colour PNG to upload as a video's picture. */
export function solidPng(background: string): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 360, channels: 3, background } }).png().toBuffer();
}

/**
 * What a served picture shows: `red`, `green` or `blue` for a one-colour upload, `dark` for the
 * placeholder (a plain dark grey), `frame` for a picture of many colours (a video frame).
 */
export async function pictureKind(url: string): Promise<'red' | 'green' | 'blue' | 'dark' | 'frame'> {
  const res = await fetch(url);
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('image/')) throw new Error(`${url}: ${res.status} ${res.headers.get('content-type')}`);
  const { channels } = await sharp(Buffer.from(await res.arrayBuffer())).stats();
  if (channels.some((c) => c.stdev > 30)) return 'frame';
  const means = channels.slice(0, 3).map((c) => c.mean);
  if (Math.max(...means) < 80) return 'dark';
  return (['red', 'green', 'blue'] as const)[means.indexOf(Math.max(...means))]!;
}

/** A real `flotilla-runner server` process (the CLI a remote machine runs), registered with a fresh token. */
export class RunnerCli {
  output = '';
  private constructor(readonly name: string, readonly proc: import('node:child_process').ChildProcess) {}

  static async start(serverUrl: string, registrationToken: string, name: string, dir: string, repoRoot: string): Promise<RunnerCli> {
    const { mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const home = await mkdtemp(join(dir, `${name}-`));
    const proc = spawn(
      process.execPath,
      [
        join(repoRoot, 'runner/dist/cli.js'), '--id', name, '--config-dir', join(home, 'config'), 'server',
        '--url', serverUrl, '--registration-token', registrationToken, '--runner-name', name,
        '--work-dir', join(home, 'work'), '--ui', 'log', '--concurrency', '1', '--ffmpeg-threads', '1', '--ffmpeg-nice', '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = new RunnerCli(name, proc);
    const collect = (c: Buffer) => (r.output = (r.output + c.toString()).slice(-30_000));
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    return r;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill(signal);
    });
  }
}
