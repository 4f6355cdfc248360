import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@flotilla/shared';
import { hasErrorCode } from '../client/errors';
import { FfmpegError } from './ffmpeg';
import { INPUT_PROBE_ARGS, mustRestart, probeFromHint, probeLive, type LiveProbe } from './live-input';
import type { Processor } from './processor';

const CHUNK = /^([a-z0-9]+)-(\d+)\.ts$/;
/** How often the output folder is looked at. */
const WATCH_MS = 200;
/**
 * util-linux's `setpriv --pdeathsig KILL` makes ffmpeg die with this runner (exec keeps the pid, so
 * the runner stays its parent): a runner killed mid-live leaves no ffmpeg pulling the stream, and
 * the server sees the pull close at once (Flotilla's fast takeover). Without it ffmpeg outlives us
 * until the server cuts its pull.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/** After ffmpeg ends: ffmpeg's last files settle before the final flush (PeerTube's runner waits 1.5 s). */
const FLUSH_DELAY_MS = 1500;

/** A source keyframe interval this much over the segment duration (timestamp jitter) still copies. */
const KEYFRAME_SLACK_S = 0.1;

/** Bitrate for a rung, roughly PeerTube's live targets. */
function bitrateOf(resolution: number, fps: number): number {
  const base = resolution >= 1080 ? 3_800_000 : resolution >= 720 ? 2_200_000 : resolution >= 480 ? 1_200_000 : resolution >= 360 ? 800_000 : 400_000;
  return fps > 30 ? Math.round(base * 1.4) : base;
}

/**
 * The ffmpeg arguments: one muxed variant per rung (`<index>.m3u8`, chunks `<index>-%06d.ts`,
 * `master.m3u8`), PeerTube's HLS flags. A rung is copied when it is the input's own resolution in
 * H.264 (the top rung, or the only one when the server asks for a remux) and the source's keyframes
 * come at least once a segment (when the server measured them); the others are encoded with a
 * keyframe every segment.
 */
export function buildLiveArgs(o: {
  url: string;
  probe: LiveProbe;
  toTranscode: { resolution: number; fps: number }[];
  segmentDuration: number;
  segmentListSize: number;
  outputDir: string;
  threads: number;
  /** Flotilla's `input.keyframeInterval` (s): a copy keeps the source's keyframes, so it needs one a segment. */
  keyframeInterval?: number;
}): { args: string[]; copied: number[] } {
  const { probe } = o;
  if (!probe.video) throw new FfmpegError('The live input has no video stream');
  const inputRes = Math.min(probe.video.width, probe.video.height);
  const args = ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '10000000', ...INPUT_PROBE_ARGS, '-i', o.url];
  const copied: number[] = [];
  const streamMap: string[] = [];
  o.toTranscode.forEach((rung, i) => {
    args.push('-map', '0:v:0');
    if (probe.audio) args.push('-map', '0:a:0');
    const keyframesOk = o.keyframeInterval === undefined || o.keyframeInterval <= o.segmentDuration + KEYFRAME_SLACK_S;
    const copy = probe.video!.codec === 'h264' && rung.resolution === inputRes && probe.video!.fps <= rung.fps + 1 && keyframesOk;
    if (copy) {
      copied.push(rung.resolution);
      args.push(`-c:v:${i}`, 'copy');
    } else {
      const gop = Math.max(1, Math.round(rung.fps * o.segmentDuration));
      const landscape = probe.video!.width >= probe.video!.height;
      const scale = landscape ? `scale=-2:${rung.resolution}` : `scale=${rung.resolution}:-2`;
      const rate = bitrateOf(rung.resolution, rung.fps);
      args.push(
        `-c:v:${i}`, 'libx264', `-preset:v:${i}`, 'veryfast', `-tune:v:${i}`, 'zerolatency', `-profile:v:${i}`, 'high', `-pix_fmt:v:${i}`, 'yuv420p',
        `-filter:v:${i}`, scale, `-r:v:${i}`, String(rung.fps), `-g:v:${i}`, String(gop), `-keyint_min:v:${i}`, String(gop), `-sc_threshold:v:${i}`, '0',
        `-b:v:${i}`, String(rate), `-maxrate:v:${i}`, String(rate), `-bufsize:v:${i}`, String(rate * 2),
      );
    }
    streamMap.push(probe.audio ? `v:${i},a:${i}` : `v:${i}`);
  });
  if (probe.audio) {
    // AAC up to 384 kb/s with a channel layout is copied (PeerTube's rule); anything else is encoded.
    const copyAudio = probe.audio.codec === 'aac' && probe.audio.bitrate <= 384_000 && probe.audio.channels > 0;
    args.push('-c:a', copyAudio ? 'copy' : 'aac', ...(copyAudio ? [] : ['-b:a', '128k', '-ar', '48000', '-ac', '2']));
  }
  if (o.threads > 0) args.push('-threads', String(o.threads));
  args.push(
    '-f', 'hls',
    '-hls_time', String(o.segmentDuration),
    '-hls_list_size', String(o.segmentListSize),
    '-hls_flags', 'delete_segments+independent_segments+program_date_time',
    '-hls_segment_filename', join(o.outputDir, '%v-%06d.ts'),
    '-master_pl_name', 'master.m3u8',
    '-var_stream_map', streamMap.join(' '),
    join(o.outputDir, '%v.m3u8'),
  );
  return { args, copied };
}

/** The media playlist cut right after `chunk`: it never names a chunk the server has not got. */
export function cutPlaylistAfter(playlist: string, chunk: string): string {
  if (playlist.includes('#EXT-X-ENDLIST')) return playlist;
  const lines = playlist.split('\n');
  const at = lines.findIndex((l) => l.trim() === chunk);
  return at < 0 ? playlist : lines.slice(0, at + 1).join('\n') + '\n';
}

/**
 * `live-rtmp-hls-transcoding`: ffmpeg pulls the RTMP stream into HLS; each chunk is sent with an
 * `update` (PeerTube's payload: add-chunk / remove-chunk, media playlist cut after the chunk,
 * master once every playlist exists) as soon as it is complete: listed in ffmpeg's playlist (or,
 * PeerTube's rule, when the next chunk of its rendition exists). When the input ends (the publisher stopped), the last chunks are
 * flushed and the job succeeds with an empty payload. The server refusing an update as "not
 * processing" (live ended or cancelled) stops ffmpeg and ends the job.
 */
export const processLiveHls: Processor<'live-rtmp-hls-transcoding'> = async (ctx) => {
  const { input, output } = ctx.payload;
  const t0 = Date.now();
  // Timestamps of the start-up (wall clock, so a bench can set them against a runner kill).
  const mark = (what: string) => ctx.log(`live timing: ${what} at ${Date.now()} (+${Date.now() - t0} ms)`);
  mark('job starts');
  const dir = ctx.workspace.outputDir;
  const argsFor = (probe: LiveProbe) =>
    buildLiveArgs({
      url: input.rtmpUrl,
      probe,
      toTranscode: output.toTranscode,
      segmentDuration: output.segmentDuration,
      segmentListSize: output.segmentListSize,
      outputDir: dir,
      threads: ctx.ffmpeg.threads,
      keyframeInterval: input.keyframeInterval,
    });
  const describe = (copied: number[]) =>
    ctx.log(`live: ${output.toTranscode.map((r) => `${r.resolution}p${copied.includes(r.resolution) ? ' (copy)' : ''}`).join(', ')}, ${output.segmentDuration} s segments`);

  // With Flotilla's hint, ffmpeg starts at once and the probe runs alongside; without it (a
  // PeerTube server), the probe comes first, as in PeerTube's runner.
  ctx.setPhase('probing');
  const hinted = probeFromHint(input.streamHint);
  const probing = probeLive(ctx.ffmpeg.ffprobePath, input.rtmpUrl, ctx.signal);
  if (hinted) probing.catch(() => undefined);
  const first = argsFor(hinted ?? (await probing));
  mark(hinted ? 'ffmpeg starts from the server hint' : 'probed, ffmpeg starts');
  describe(first.copied);
  ctx.setPhase('transcoding');

  interface Run { proc: ChildProcess; exited: Promise<number | null>; args: string[] }
  let stderr = '';
  let run!: Run;
  /** The current ffmpeg has exited (set false again by a restart). */
  let ended = false;
  const startFfmpeg = (args: string[]) => {
    const nice = Math.max(0, Math.min(19, ctx.ffmpeg.nice));
    const line = [...(nice > 0 ? ['nice', '-n', String(nice)] : []), ctx.ffmpeg.ffmpegPath, ...args];
    const [cmd, ...rest] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', ...line] : line;
    const proc = spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
    const r: Run = { proc, args, exited: new Promise((resolve) => proc.on('close', (code) => resolve(code))) };
    run = r;
    ended = false;
    void r.exited.then(() => {
      if (run === r) ended = true;
    });
  };
  startFfmpeg(first.args);
  const onAbort = () => run.proc.kill('SIGKILL');
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  // Nothing is uploaded before the probe agrees with the command running: a restart then starts
  // from clean files (the probe, ≈ 1 s, is in well before the first segment is complete).
  let confirmed = !hinted;
  let probeError: Error | null = null;
  const confirmation = !hinted
    ? Promise.resolve()
    : probing
        .then(async (probed) => {
          mark('probe in');
          const real = argsFor(probed);
          if (ctx.signal.aborted || !mustRestart(run.args, real.args)) return;
          ctx.log('live: the probe differs from the server hint: ffmpeg restarted with the probed values');
          const old = run;
          old.proc.kill('SIGKILL');
          await old.exited;
          for (const n of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, n), { force: true, recursive: true });
          if (ctx.signal.aborted) return;
          describe(real.copied);
          startFfmpeg(real.args);
        })
        .catch((err: Error) => {
          // The input cannot be read (or holds no video): the job fails as it would without the hint.
          probeError = err;
          run.proc.kill('SIGKILL');
        })
        .finally(() => (confirmed = true));

  const sent = new Map<string, Set<string>>(); // index → chunks sent
  const chains = new Map<string, Promise<void>>(); // index → its uploads, one after another
  let stopped: Error | null = null;
  let chunksSent = 0;
  let cutCount = 0;
  let firstComplete = false;

  const send = async (payload: Record<string, string>, files: Record<string, string>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.liveUpdate(payload, files);
        return;
      } catch (err) {
        if (hasErrorCode(err, ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE) || attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  const upload = async (index: string, chunk: string, type: 'add-chunk' | 'remove-chunk', final: boolean) => {
    const payload: Record<string, string> = { type, videoChunkFilename: chunk };
    const files: Record<string, string> = {};
    const names = await readdir(dir).catch(() => [] as string[]);
    const playlists = names.filter((n) => n.endsWith('.m3u8'));
    if (type === 'add-chunk') {
      const playlist = await readFile(join(dir, `${index}.m3u8`), 'utf8').catch(() => null);
      if (playlists.length >= output.toTranscode.length + 1 && playlist !== null) {
        files.masterPlaylistFile = join(dir, 'master.m3u8');
        const cut = join(dir, `cut-${index}-${cutCount++}.m3u8`);
        await writeFile(cut, final ? playlist : cutPlaylistAfter(playlist, chunk));
        payload.resolutionPlaylistFilename = `${index}.m3u8`;
        files.resolutionPlaylistFile = cut;
      }
      files.videoChunkFile = join(dir, chunk);
    }
    try {
      await send(payload, files);
      if (type === 'add-chunk' && ++chunksSent === 1) mark('first chunk stored by the server');
    } finally {
      if (files.resolutionPlaylistFile) await rm(files.resolutionPlaylistFile, { force: true });
    }
  };

  const enqueue = (index: string, fn: () => Promise<void>) => {
    const next = (chains.get(index) ?? Promise.resolve()).then(fn).catch((err: Error) => {
      if (!stopped) {
        stopped = err;
        run.proc.kill('SIGKILL');
      }
    });
    chains.set(index, next);
  };

  const scan = async (final: boolean) => {
    const names = await readdir(dir).catch(() => [] as string[]);
    const byIndex = new Map<string, string[]>();
    for (const n of names) {
      const m = CHUNK.exec(n);
      if (m) byIndex.set(m[1]!, [...(byIndex.get(m[1]!) ?? []), n]);
    }
    for (const [index, chunks] of byIndex) {
      chunks.sort();
      const done = sent.get(index) ?? new Set<string>();
      sent.set(index, done);
      // A chunk is complete once ffmpeg lists it in its playlist (written after the chunk is
      // closed), or once a newer chunk exists (PeerTube's rule, one segment later).
      const listed = new Set((await readFile(join(dir, `${index}.m3u8`), 'utf8').catch(() => '')).split('\n').map((l) => l.trim()));
      const complete = final ? chunks : chunks.filter((c, i) => listed.has(c) || i < chunks.length - 1);
      for (const c of complete) {
        if (done.has(c)) continue;
        done.add(c);
        if (!firstComplete) {
          firstComplete = true;
          mark(`first chunk complete (${c})`);
        }
        enqueue(index, () => upload(index, c, 'add-chunk', final));
      }
    }
    for (const [index, done] of sent) {
      const present = new Set(byIndex.get(index) ?? []);
      for (const c of [...done]) {
        if (present.has(c)) continue;
        done.delete(c);
        enqueue(index, () => upload(index, c, 'remove-chunk', false));
      }
    }
  };

  while (!stopped) {
    if (ended) {
      // A hinted ffmpeg that failed (the hint was wrong) is restarted once the probe is in.
      if (!confirmed) {
        await confirmation;
        continue;
      }
      break;
    }
    if (confirmed) await scan(false);
    await new Promise((r) => setTimeout(r, WATCH_MS));
  }
  const code = await run.exited;
  ctx.signal.removeEventListener('abort', onAbort);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (probeError) throw probeError;
  if (!stopped) {
    await new Promise((r) => setTimeout(r, FLUSH_DELAY_MS));
    await scan(true);
  }
  await Promise.all(chains.values());
  if (stopped) {
    // The server ended or cancelled the live: nothing more to send, the job is over.
    if (hasErrorCode(stopped, ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE)) return { files: {} };
    throw stopped;
  }
  // ffmpeg ends with an I/O error when the server cuts the input at the end of a publish: what
  // counts is whether the live produced anything.
  if (chunksSent === 0) throw new FfmpegError(`live transcoding produced nothing (ffmpeg exited with ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  ctx.log(`live ended: ${chunksSent} chunks sent`);
  return { files: {} };
};
