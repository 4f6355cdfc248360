import { spawn, type ChildProcess } from 'node:child_process';
import { logger } from '../../common/logger';
import type { LiveHlsStorageService } from '../media-files/live-hls-storage.service';
import { LlHlsPackager } from './ll-hls-packager';
import { llSegmentName, llStoredInitName } from './ll-replay-files';

/** Where the media playlist, init segment and parts of a low-latency live are served, under the live's HLS folder URL. */
export const LL_FOLDER = 'll';
export const LL_PLAYLIST = 'index.m3u8';
export const LL_INIT = 'init.mp4';

/**
 * ffmpeg's fragment length (µs): it closes a fragment on the frame past it, so 200 ms gives parts
 * ≤ 250 ms from 20 fps up (PART-TARGET). Shorter parts mean more requests for little gain: the
 * player holds 3 parts back (PART-HOLD-BACK), so a part length costs 3× in latency.
 */
const FRAG_DURATION_US = 200_000;
export const LL_OPTIONS = { partTarget: 0.25, segmentTarget: 1, windowSegments: 10 };

export interface LlHlsSessionSpec {
  video: { id: number; uuid: string };
  /** rtmp://127.0.0.1:<port>/live/<key>: the local ingest, pulled like a runner would. */
  rtmpUrl: string;
  /** Re-encode (short GOP, one rendition up to `maxHeight`) or remux the publisher's stream as is. */
  transcode: { height: number; fps: number; threads: number } | null;
  /** Whether the complete segments stay on disk after leaving the window (for a replay). */
  keepSegments: boolean;
  /** The session goes on after a reconnect: where the previous encoder's numbering stopped. */
  continueFrom?: { msn: number; discontinuitySequence: number };
}

export interface LlHlsSessionHooks {
  /** The first part is in and the master playlist written: viewers may come. */
  onReady(): void;
  /** ffmpeg is gone; `failed` when it ended on an error before or without its input ending. */
  onEnd(failed: boolean, message: string): void;
  /** A complete segment of this many bytes was stored. */
  onSegmentStored?(bytes: number): void;
}

/** ffmpeg arguments: RTMP in, fragmented MP4 (video track first) on stdout. */
export function llFfmpegArgs(spec: Pick<LlHlsSessionSpec, 'rtmpUrl' | 'transcode'>): string[] {
  const t = spec.transcode;
  const video = t
    ? [
        // x264 without lookahead or B-frames (zerolatency) and a keyframe every second whatever
        // the source's: segments are cut on keyframes and players join on one.
        '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
        '-vf', `scale=-2:'min(${t.height},ih)'`, '-r', String(t.fps),
        '-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0',
        '-crf', '23', '-maxrate', '3000k', '-bufsize', '3000k', '-threads', String(t.threads),
        '-c:a', 'aac', '-b:a', '128k',
      ]
    : // Remux only: parts are cut at 200 ms whatever the GOP; segments close on the source's keyframes.
      ['-c:v', 'copy', '-c:a', 'copy'];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    // Little probing: the FLV header names the streams, and the first frames should not wait.
    '-fflags', 'nobuffer', '-analyzeduration', '500000', '-probesize', '500000',
    '-rw_timeout', '10000000', '-i', spec.rtmpUrl,
    '-map', '0:v:0', '-map', '0:a:0?',
    ...video,
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', String(FRAG_DURATION_US),
    '-flush_packets', '1', 'pipe:1',
  ];
}

/** `avc1.PPCCLL` from the init segment's avcC box, `mp4a.40.2` when an AAC track is there. */
export function codecsOf(init: Buffer): string | null {
  const at = init.indexOf('avcC', 0, 'latin1');
  if (at < 0 || at + 8 > init.length) return null;
  const hex = (i: number) => init[at + 4 + i]!.toString(16).padStart(2, '0');
  const video = `avc1.${hex(1)}${hex(2)}${hex(3)}`;
  return init.includes('mp4a', 0, 'latin1') ? `${video},mp4a.40.2` : video;
}

/**
 * One low-latency live: the server's own ffmpeg pulls the RTMP stream into fragmented MP4, the
 * packager cuts it into LL-HLS parts held in memory (served by LlHlsController), and each complete
 * segment is also stored in the live's folder with its SHA-256 in `segments-sha256.json` (kept
 * there for the replay when `keepSegments`, with the init segment: ll-replay-files.ts).
 */
export class LlHlsSession {
  readonly packager: LlHlsPackager;
  /** The init segment's name in the playlist (another one after each reconnect). */
  readonly initUri: string;
  private proc: ChildProcess | null = null;
  private ready = false;
  private stopping = false;
  /** Storage writes in order (a segment is stored before it is dropped). */
  private writes: Promise<void> = Promise.resolve();
  private stderr = '';

  constructor(
    private readonly spec: LlHlsSessionSpec,
    private readonly storage: LiveHlsStorageService,
    private readonly hooks: LlHlsSessionHooks,
  ) {
    const name = llSegmentName;
    const c = spec.continueFrom;
    this.initUri = c ? `init-${c.discontinuitySequence}.mp4` : LL_INIT;
    this.packager = new LlHlsPackager({
      ...LL_OPTIONS,
      ...(c ? { continueFrom: { ...c, initUri: this.initUri } } : {}),
      onSegment: (msn, data) =>
        this.write(async () => {
          await storage.addChunkBytes(spec.video, name(msn), data);
          hooks.onSegmentStored?.(data.length);
        }),
      onSegmentDropped: (msn) => this.write(() => storage.removeChunk(spec.video, name(msn), spec.keepSegments)),
    });
  }

  get videoUuid(): string {
    return this.spec.video.uuid;
  }

  private write(fn: () => Promise<void>): void {
    this.writes = this.writes.then(fn).catch((err: unknown) => logger.warn({ err, video: this.spec.video.uuid }, 'low-latency live: a segment could not be stored'));
  }

  start(): void {
    const proc = spawn('ffmpeg', llFfmpegArgs(this.spec), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout!.on('data', (chunk: Buffer) => {
      try {
        this.packager.push(chunk);
      } catch (err) {
        logger.error({ err, video: this.spec.video.uuid }, 'low-latency live: unreadable ffmpeg output');
        proc.kill('SIGKILL');
        return;
      }
      if (!this.ready && this.packager.edge.parts > 0) this.becomeReady();
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    proc.on('error', (err) => logger.error({ err }, 'low-latency live: cannot run ffmpeg'));
    proc.on('close', (code, signal) => {
      this.packager.finish();
      const failed = !this.stopping && (code !== 0 || !this.ready);
      const message = `ffmpeg exited (${code ?? signal})${this.stderr ? `: ${this.stderr.trim().slice(-300)}` : ''}`;
      void this.writes.then(() => this.hooks.onEnd(failed, message));
    });
  }

  private becomeReady(): void {
    this.ready = true;
    const init = this.packager.initSegment!;
    const codecs = codecsOf(init);
    const master = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      `#EXT-X-STREAM-INF:BANDWIDTH=3000000${codecs ? `,CODECS="${codecs}"` : ''}`,
      `${LL_FOLDER}/${LL_PLAYLIST}`,
      '',
    ].join('\n');
    this.write(async () => {
      // Stored under the run's first segment number: the replay pairs each segment with its init.
      await this.storage.addChunkBytes(this.spec.video, llStoredInitName(this.spec.continueFrom?.msn ?? 0), init);
      // Not writeMaster: a low-latency live has no P2P swarm.
      await this.storage.writePlaylist(this.spec.video, 'master.m3u8', master);
      this.hooks.onReady();
    });
  }

  /** Stops ffmpeg (the session is over for another reason). */
  stop(): void {
    this.stopping = true;
    this.proc?.kill('SIGTERM');
  }
}
