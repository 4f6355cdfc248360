/**
 * Uploads: resumable upload throughput against the disk it lands on, a 2 GiB upload surviving two cut
 * connections and a server restart, and the video list with 10,000 videos against a trivial endpoint.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import type { User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { TestServer } from '../../server/test/helpers/test-server';
import type { BenchRow } from './report';
import { runResumableUpload, type ResumeRunResult } from './upload-resume';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const BIG_SIZE = 2 * GIB;
/** 64 chunks for 2 GiB; PeerTube's client uses a few MB, larger ones keep the per-chunk fsync cheap. */
const CHUNK = 32 * MIB;
const SEEDED_VIDEOS = 10_000;
/** Requests per endpoint for the list benchmark (after a warm-up of a tenth of that). */
const LIST_REQUESTS = 1_000;
const LIST_CONNECTIONS = 10;

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

/**
 * A 2 GiB file ffprobe accepts, made in seconds: 10 s of intra-only MPEG-2 at ~40 Mb/s, looped by
 * stream copy (no encoding) into an MPEG-TS past 2 GiB, then cut at exactly 2 GiB. A cut MPEG-TS
 * stays readable (it is a sequence of 188-byte packets), its duration comes from the timestamps.
 */
function makeBigFile(dir: string): string {
  const base = join(dir, 'base.mts');
  const big = join(dir, 'big.mts');
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  ff([
    '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '10',
    '-c:v', 'mpeg2video', '-q:v', '1', '-qmin', '1', '-g', '1', '-c:a', 'mp2', '-f', 'mpegts', base,
  ]);
  ff(['-stream_loop', '-1', '-i', base, '-map', '0', '-c', 'copy', '-fs', String(BIG_SIZE + 64 * MIB), '-f', 'mpegts', big]);
  execFileSync('truncate', ['-s', String(BIG_SIZE), big]);
  // Written back now: otherwise the kernel flushes these 2 GiB during whatever is measured first
  // (it made the first upload of a run ~10 s slower than the second).
  execFileSync('sync', [big]);
  return big;
}

/** Baseline: the same bytes read from the same file and written to the server's storage disk, then fsynced. */
async function diskWriteMs(src: string, dst: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(src, { highWaterMark: MIB }), createWriteStream(dst, { highWaterMark: MIB }));
  const fh = await open(dst, 'r+');
  await fh.sync();
  await fh.close();
  const ms = performance.now() - t0;
  await rm(dst, { force: true });
  return ms;
}

interface UploadContext {
  server: TestServer;
  admin: ApiClient;
  channelId: number;
  file: string;
}

async function upload(ctx: UploadContext, name: string, extra: Partial<Parameters<typeof runResumableUpload>[0]> = {}): Promise<ResumeRunResult> {
  const run = await runResumableUpload({
    baseUrl: ctx.server.url,
    accessToken: ctx.admin.accessToken!,
    file: ctx.file,
    metadata: { name, channelId: ctx.channelId, filename: 'big.mts' },
    chunkSize: CHUNK,
    ...extra,
  });
  if (run.status !== 200 || !run.body) throw new Error(`${name}: upload answered ${run.status}`);
  return run;
}

/** Deletes the video (its 2 GiB file goes with it). */
async function deleteVideo(ctx: UploadContext, run: ResumeRunResult): Promise<void> {
  await ctx.admin.request('DELETE', `/api/v1/videos/${run.body!.video.uuid}`);
}

async function bigUploadRows(ctx: UploadContext): Promise<BenchRow[]> {
  const writeMs = await diskWriteMs(ctx.file, join(ctx.server.storage, 'bench-disk-write.bin'));

  // Uninterrupted, once before and once after the interrupted one: on this VM the first 2 GiB upload
  // of a run was ~10 s slower than the next whichever kind came first (cause not found; the source is
  // synced), so the mean of the two is compared with the mean of two disk writes. The driver's after-chunk hook (meant for restarts) only
  // notes the time after the second-to-last chunk: what comes before is pure byte transfer, the last
  // answer also holds the ingest (ffprobe, thumbnail and preview, torrent hashing of the 2 GiB).
  const chunks = Math.ceil(BIG_SIZE / CHUNK);
  const plainUpload = async (name: string) => {
    let bytesPhaseMs = 0;
    const t0 = Date.now();
    const run = await upload(ctx, name, {
      restartAfterChunks: [chunks - 2],
      restart: async () => {
        bytesPhaseMs = Date.now() - t0;
      },
    });
    if (run.resentBytes !== 0) throw new Error(`uninterrupted upload re-sent ${run.resentBytes} bytes`);
    await deleteVideo(ctx, run);
    return { ms: run.ms, bytesPhaseMs };
  };
  const before = await plainUpload('bench 2 GiB plain, before');

  // Two connections cut halfway through a chunk, and the server stopped (SIGTERM) and started again
  // while a third chunk is halfway through.
  let stopMs = 0;
  let startMs = 0;
  const cut = await upload(ctx, 'bench 2 GiB interrupted', {
    cutChunks: [12, 44],
    // Varied offsets (the third is the restart's): a server keeping only whole blocks or dropping the
    // partial chunk shows in what it says it stored after each cut.
    cutFractions: [0.17, 0.63, 0.91],
    restartDuringChunks: [28],
    restart: async () => {
      const r0 = Date.now();
      await ctx.server.kill();
      stopMs = Date.now() - r0;
      await ctx.server.restart();
      startMs = Date.now() - r0 - stopMs;
    },
  });
  if (cut.interruptions !== 2 || cut.restarts !== 1) throw new Error(`expected 2 cuts and 1 restart, got ${cut.interruptions} and ${cut.restarts}`);
  // From the server's own answer after each cut (the bytes it stored), not the driver's counters.
  const sentBeforeCuts = cut.cuts.reduce((n, c) => n + c.sentBeforeCut, 0);
  const keptAtCuts = cut.cuts.reduce((n, c) => n + (c.resumedAt - c.chunkStart), 0);
  const cutDetail = cut.cuts.map((c) => `${c.kind} at ${(c.sentBeforeCut / MIB).toFixed(1)} MiB: kept ${((c.resumedAt - c.chunkStart) / MIB).toFixed(1)}`).join(', ');
  await deleteVideo(ctx, cut);

  const after = await plainUpload('bench 2 GiB plain, after');
  const writeMsAfter = await diskWriteMs(ctx.file, join(ctx.server.storage, 'bench-disk-write.bin'));
  // Like with like: the mean of the two uploads against the mean of two disk writes around them
  // (the first 2 GiB run of a VM was ~10 s slower whichever kind came first).
  const mean = (a: number, b: number) => (a + b) / 2;
  const plain = { ms: mean(before.ms, after.ms), bytesPhaseMs: mean(before.bytesPhaseMs, after.bytesPhaseMs) };
  const plainRuns = `uninterrupted runs ${(before.ms / 1000).toFixed(1)} s and ${(after.ms / 1000).toFixed(1)} s, mean used`;
  const writeMeanMBps = mbps(BIG_SIZE, mean(writeMs, writeMsAfter));
  const writeRuns = `disk writes ${(writeMs / 1000).toFixed(1)} s before, ${(writeMsAfter / 1000).toFixed(1)} s after, mean`;

  const interruptions = cut.interruptions + cut.restarts;
  return [
    {
      name: `resumable upload 2 GiB, bytes phase (${chunks - 1} of ${chunks} chunks of 32 MiB, fsync per chunk)`,
      value: mbps(BIG_SIZE - CHUNK, plain.bytesPhaseMs), unit: 'MB/s',
      baselineName: `fs.createWriteStream of the same 2 GiB to the same disk + fsync (${writeRuns})`, baseline: writeMeanMBps, note: 'higher is better',
    },
    {
      name: `resumable upload 2 GiB, end to end (incl. ffprobe, thumbnails, torrent hashing; ${plainRuns})`,
      value: mbps(BIG_SIZE, plain.ms), unit: 'MB/s',
      baselineName: `fs.createWriteStream of the same 2 GiB to the same disk + fsync (${writeRuns})`, baseline: writeMeanMBps, note: 'higher is better',
    },
    {
      name: `2 GiB upload, 2 connections cut + 1 server restart (SIGTERM mid-chunk: stop ${(stopMs / 1000).toFixed(1)} s, start ${(startMs / 1000).toFixed(1)} s), total time`,
      value: cut.ms / 1000, unit: 's',
      baselineName: 'the same upload uninterrupted (mean of the two runs)', baseline: plain.ms / 1000, note: 'lower is better',
    },
    {
      name: `2 GiB upload, bytes the server stored at the ${interruptions} interruptions (${cutDetail}; ${cut.chunkRequests} chunk requests)`,
      value: keptAtCuts / MIB, unit: 'MiB',
      baselineName: 'bytes sent before the cuts', baseline: sentBeforeCuts / MIB, note: '1 = nothing that arrived was lost',
    },
  ];
}

/**
 * 10,000 published public videos (with miniature and preview rows, as the list loads them) in one
 * INSERT … SELECT generate_series each, matching the columns of the `video` migration.
 */
async function seedVideos(server: TestServer, channelId: number): Promise<void> {
  await server.sql(
    `INSERT INTO video (uuid, name, description, duration, aspect_ratio, state, privacy, tags, published_at,
       originally_published_at, input_file_updated_at, views, likes, url, channel_id, created_at, updated_at)
     SELECT u, 'Seeded video ' || g, 'Seeded for the list benchmark, number ' || g, 30 + g % 900, 1.7778, 1, 1,
       ARRAY['bench', 'tag' || (g % 50)]::varchar(30)[], now() - g * interval '1 minute', NULL, now() - g * interval '1 minute',
       g % 1000, g % 37, $1 || '/videos/watch/' || u, $2, now() - g * interval '1 minute', now() - g * interval '1 minute'
     FROM (SELECT gen_random_uuid() AS u, g FROM generate_series(1, ${SEEDED_VIDEOS}) g) s`,
    [server.url, channelId],
  );
  await server.sql(
    `INSERT INTO thumbnail (video_id, type, filename, width, height)
     SELECT id, t.type, uuid || '-' || t.type || '.jpg', t.w, t.h FROM video,
       (VALUES (1, 280, 157), (2, 850, 480)) AS t(type, w, h)
     WHERE name LIKE 'Seeded video %'`,
  );
  await server.sql('ANALYZE video; ANALYZE thumbnail');
}

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
}

/** A fixed number of requests at a fixed concurrency; latencies in ms. */
async function load(url: string, amount: number): Promise<LoadResult> {
  const r = await autocannon({ url, connections: LIST_CONNECTIONS, amount });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  const seconds = (new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000;
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.total / seconds };
}

async function listRows(ctx: UploadContext): Promise<BenchRow[]> {
  await seedVideos(ctx.server, ctx.channelId);
  const listUrl = `${ctx.server.url}/api/v1/videos?count=25`;
  const configUrl = `${ctx.server.url}/api/v1/config`;
  const first = (await (await fetch(listUrl)).json()) as { total: number; data: unknown[] };
  if (first.total < SEEDED_VIDEOS || first.data.length !== 25) throw new Error(`list answered total ${first.total}, ${first.data.length} items`);

  await load(listUrl, LIST_REQUESTS / 10); // warm-up (JIT, PostgreSQL caches)
  const list = await load(listUrl, LIST_REQUESTS);
  await load(configUrl, LIST_REQUESTS / 10);
  const config = await load(configUrl, LIST_REQUESTS);
  const base = `GET /api/v1/config, same server, ${LIST_REQUESTS} requests`;
  const what = `GET /api/v1/videos?count=25, ${SEEDED_VIDEOS} videos, ${LIST_REQUESTS} requests at ${LIST_CONNECTIONS} connections`;
  return [
    { name: `${what}, p50`, value: list.p50, unit: 'ms', baselineName: base, baseline: config.p50, note: 'lower is better' },
    { name: `${what}, p99`, value: list.p99, unit: 'ms', baselineName: base, baseline: config.p99, note: 'lower is better' },
    { name: `${what}, throughput`, value: list.rps, unit: 'req/s', baselineName: base, baseline: config.rps, note: 'higher is better' },
  ];
}

export async function uploadsBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-uploads-'));
  let server: TestServer | null = null;
  try {
    const file = makeBigFile(dir);
    server = await TestServer.start({
      rates_limit: { enabled: false },
      log: { level: 'warn' },
      // Nothing to transcode: the uploads are published as they are, no runner work competes.
      transcoding: { enabled: false },
      // Defaults are 8 GiB per file, 100 MiB per chunk and no quota; set here so the bench never depends on them.
      uploads: { max_file_size: 4 * GIB, max_chunk_size: 64 * MIB },
      user: { video_quota: -1, video_quota_daily: -1 },
    });
    const admin = await server.login();
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const ctx: UploadContext = { server, admin, channelId, file };
    const rows = await bigUploadRows(ctx);
    await rm(file, { force: true }); // the 2 GiB source is not needed for the list part
    rows.push(...(await listRows(ctx)));
    return rows;
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
