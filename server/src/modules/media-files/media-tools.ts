import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { buildFfprobeArgs, ErrorCode, inputGuardOptions, isAllowedContainer, parseFfprobeOutput, type ProbeSummary } from '@flotilla/shared';
import sharp from 'sharp';
import { AppError } from '../../common/app-error';
import { importEsm } from '../../common/esm';

/** Runs a command, collecting stdout; rejects with stderr's tail on a non-zero exit or a timeout. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** The one ffprobe runner: the facts of a media file (shared's parser), no judgement on them. */
export async function probeFile(file: string): Promise<ProbeSummary> {
  return parseFfprobeOutput(await run('ffprobe', buildFfprobeArgs(file), 60_000));
}

export const invalidMedia = (detail: string) => new AppError(422, ErrorCode.INVALID_MEDIA_FILE, detail);

/**
 * Probes an uploaded file. Anything ffprobe cannot read, or that has neither a video nor an audio
 * stream, or no duration, is not a playable media file: 422 `invalid_media_file`.
 */
export async function probeMedia(file: string): Promise<ProbeSummary> {
  let summary: ProbeSummary;
  try {
    summary = await probeFile(file);
  } catch {
    throw invalidMedia('The file is not a video or audio file that can be read');
  }
  if (!isAllowedContainer(summary.formatName)) throw invalidMedia('The file is not in an accepted container format');
  if (!summary.video && !summary.audio) throw invalidMedia('The file has no video or audio stream');
  if (!(summary.duration > 0)) throw invalidMedia('The file has no duration');
  if (summary.video && (summary.video.width < 1 || summary.video.height < 1)) throw invalidMedia('The video stream has no size');
  return summary;
}

/** PeerTube's resolution of a file: the smaller side, 0 for audio only. */
export function resolutionOf(probe: ProbeSummary): number {
  if (!probe.video) return 0;
  return Math.min(probe.video.width, probe.video.height);
}

/**
 * A representative frame as a JPEG of exactly `size`. Seeking to a third of the video skips black
 * intros; the `thumbnail` filter then picks the most typical frame of the next 50 (not a fade).
 */
export async function extractFrame(input: string, output: string, size: { width: number; height: number }, duration: number): Promise<void> {
  const seek = duration > 3 ? Math.floor(duration / 3) : 0;
  const filter = `thumbnail=50,scale=${size.width}:${size.height}:force_original_aspect_ratio=increase,crop=${size.width}:${size.height}`;
  const base = ['-hide_banner', '-loglevel', 'error', '-y', ...inputGuardOptions('media')];
  try {
    await run('ffmpeg', [...base, '-ss', String(seek), '-i', input, '-an', '-vf', filter, '-frames:v', '1', '-q:v', '3', output], 60_000);
  } catch {
    // Very short or oddly cut files may have no frame after the seek point: take the first.
    await run('ffmpeg', [...base, '-i', input, '-an', '-vf', filter, '-frames:v', '1', '-q:v', '3', output], 60_000);
  }
}

/** Resizes an uploaded image (cover + centre crop) to a JPEG; a file sharp cannot read is a 400. */
export async function resizeImage(input: string, output: string, size: { width: number; height: number }): Promise<void> {
  try {
    await sharp(input).rotate().resize(size.width, size.height, { fit: 'cover' }).jpeg({ quality: 85 }).toFile(output);
  } catch {
    throw new AppError(400, ErrorCode.INVALID_IMAGE, 'The thumbnail or preview is not a readable image');
  }
}

/** Audio-only videos have no frame: a plain dark image stands in. */
export async function placeholderImage(output: string, size: { width: number; height: number }): Promise<void> {
  await sharp({ create: { width: size.width, height: size.height, channels: 3, background: { r: 32, g: 32, b: 40 } } })
    .jpeg()
    .toFile(output);
}

type CreateTorrentFn = (
  input: string,
  opts: Record<string, unknown>,
  cb: (err: Error | null, torrent: Uint8Array) => void,
) => void;

let createTorrentFn: CreateTorrentFn | null = null;
async function loadCreateTorrent(): Promise<CreateTorrentFn> {
  if (!createTorrentFn) {
    // create-torrent is ESM only and exports no require() condition.
    const mod = await importEsm<{ default: CreateTorrentFn }>('create-torrent');
    createTorrentFn = mod.default;
  }
  return createTorrentFn;
}

/** End offset (exclusive) of the bencoded value starting at `pos`. */
function bencodeEnd(buf: Buffer, pos: number): number {
  const c = buf[pos];
  if (c === 0x69) return buf.indexOf(0x65, pos) + 1; // i<n>e
  if (c === 0x6c || c === 0x64) {
    // l…e / d…e: keys and values are values too
    let p = pos + 1;
    while (buf[p] !== 0x65) p = bencodeEnd(buf, p);
    return p + 1;
  }
  const colon = buf.indexOf(0x3a, pos); // <len>:<bytes>
  return colon + 1 + parseInt(buf.subarray(pos, colon).toString('ascii'), 10);
}

/** The BitTorrent v1 info hash: SHA-1 of the bencoded `info` dictionary. */
export function torrentInfoHash(torrent: Buffer): string {
  // Walk the top-level dictionary's keys instead of searching bytes (a URL could hold "4:info").
  let p = 1;
  while (torrent[p] !== 0x65 && p < torrent.length) {
    const keyEnd = bencodeEnd(torrent, p);
    const key = torrent.subarray(torrent.indexOf(0x3a, p) + 1, keyEnd).toString('latin1');
    const valueEnd = bencodeEnd(torrent, keyEnd);
    if (key === 'info') return createHash('sha1').update(torrent.subarray(keyEnd, valueEnd)).digest('hex');
    p = valueEnd;
  }
  throw new Error('torrent has no info dictionary');
}

/** A single-file torrent with the instance's trackers and the file itself as web seed. */
export async function makeTorrent(opts: { file: string; name: string; announce: string[]; urlList: string[] }): Promise<{ torrent: Buffer; infoHash: string }> {
  const createTorrent = await loadCreateTorrent();
  const torrent = await new Promise<Buffer>((resolve, reject) =>
    createTorrent(
      opts.file,
      { name: opts.name, createdBy: 'Flotilla', announceList: [opts.announce], urlList: opts.urlList },
      // create-torrent 6 hands back a Uint8Array
      (err, t) => (err ? reject(err) : resolve(Buffer.from(t))),
    ),
  );
  return { torrent, infoHash: torrentInfoHash(torrent) };
}

/**
 * Joins MPEG-TS segments (a live's kept chunks, in order) into one MP4 without re-encoding: the
 * replay that is watchable at once, before runners make its ladder. No transcoding happens here.
 */
export async function concatSegmentsToMp4(segments: string[], output: string): Promise<void> {
  const input = `concat:${segments.join('|')}`;
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file,concat', '-i', input, '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', output], 10 * 60_000);
}

/**
 * Joins fragmented MP4 files (a low-latency live's runs, each its init segment followed by its
 * segments, in order) into one MP4 without re-encoding (ffmpeg's concat demuxer: each run's
 * timestamps follow the previous run's end). `list` is a staging path for the demuxer's list.
 */
export async function concatFragmentedToMp4(runs: string[], list: string, output: string): Promise<void> {
  await writeFile(list, runs.map((r) => `file '${r.replace(/'/g, "'\\''")}'\n`).join(''));
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', output], 10 * 60_000);
}
