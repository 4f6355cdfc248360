// Live glass-to-glass latency, measured from the frames themselves: the publisher (ffmpeg, lavfi
// testsrc2 at real-time pace) draws the wall-clock milliseconds of each frame's capture as 24
// black/white squares holding the value in Gray code (drawbox enabled per bit with time(0)); the
// watch page's <video> is drawn onto a canvas every animation frame, the squares read back and
// decoded, and Date.now() − decoded is the latency of the frame on screen (hls.js's own figure reads
// 1–4.5 s low, notes/live.md). Each mode plays ≥ 30 s in headless Chromium over HTTP, against the
// real server, RTMP ingest and embedded runner (copy mode: no re-encoding), and the low-latency mode
// once more on a server with live transcoding on (the server re-encodes before packaging).
// Figures: Flotilla's low-latency mode (LL-HLS: 0.25 s parts, blocking playlist reload, packaged by
// the server itself) beside plain 2 s-segment HLS (PeerTube's small-latency settings), and that one
// beside PeerTube's default mode (4 s segments); p50 and p95, all measured in the same run.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { freePort, TestServer } from '../../server/test/helpers/test-server';
import type { BenchRow } from './report';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MEASURE_MS = Number(process.env.LIVE_LATENCY_MS ?? 30_000);
const BITS = 24;
const BOX = 16;
const STEP = 20;
const ORIGIN = { x: 8, y: 8 };

/** ffmpeg drawbox filters: square i is white when bit i of gray(ms mod 2^24) is 1. */
function grayBoxes(): string {
  const v = `mod(floor(time(0)*1000)\\,${2 ** BITS})`;
  const boxes = [`drawbox=x=0:y=0:w=${ORIGIN.x * 2 + STEP * BITS}:h=${ORIGIN.y * 2 + BOX}:color=black:t=fill`];
  for (let i = 0; i < BITS; i++) {
    const bit = (p: number) => `mod(floor(${v}/${2 ** p})\\,2)`;
    boxes.push(`drawbox=x=${ORIGIN.x + i * STEP}:y=${ORIGIN.y}:w=${BOX}:h=${BOX}:color=white:t=fill:enable='abs(${bit(i)}-${bit(i + 1)})'`);
  }
  return boxes.join(',');
}

/** Runs in the page: samples Date.now() − decoded capture time of the frame on screen, every animation frame. */
const MEASURE_IN_PAGE = `({ ms, bits, box, step, origin }) => new Promise((resolve) => {
  const video = document.querySelector('video');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const samples = [];
  const end = performance.now() + ms;
  const tick = () => {
    if (video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      let gray = 0;
      for (let i = 0; i < bits; i++) {
        const p = ctx.getImageData(origin.x + i * step + box / 2, origin.y + box / 2, 1, 1).data;
        if (p[0] + p[1] + p[2] > 384) gray |= 1 << i;
      }
      let bin = gray;
      for (let s = gray >> 1; s; s >>= 1) bin ^= s;
      const mod = 2 ** bits;
      const latency = (((Date.now() % mod) - bin) % mod + mod) % mod;
      if (latency < 120000) samples.push(latency);
    }
    if (performance.now() < end) requestAnimationFrame(tick);
    else resolve(samples);
  };
  requestAnimationFrame(tick);
})`;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function measureMode(server: TestServer, latencyMode: number): Promise<number[]> {
  const admin = await server.login();
  const channelId = (await admin.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
  const { video } = await admin.request<{ video: { id: number; uuid: string } }>('POST', '/api/v1/videos/live', {
    json: { channelId, name: `latency ${latencyMode}`, privacy: 1, latencyMode },
  });
  const live = await admin.get<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${video.id}`);
  const publisher = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-vf', grayBoxes(),
    // A cheap preset: a veryfast publisher and the transcoder starve each other on 2 cores.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '25', '-keyint_min', '25', '-b:v', '1500k',
    '-c:a', 'aac', '-b:a', '64k', '-threads', '1', '-f', 'flv', `${live.rtmpUrl}/${live.streamKey}`,
  ], { stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  try {
    for (let i = 0; i < 240; i++) {
      if ((await admin.get<{ state: { id: number } }>(`/api/v1/videos/${video.id}`)).state.id === 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage();
    await page.goto(`${server.url}/w/${video.uuid}`);
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.5, null, { timeout: 60_000 });
    // A string, not a function: tsx's name helpers (__name) do not exist in the page.
    const opts = JSON.stringify({ ms: MEASURE_MS, bits: BITS, box: BOX, step: STEP, origin: ORIGIN });
    return (await page.evaluate(`(${MEASURE_IN_PAGE})(${opts})`)) as number[];
  } finally {
    await browser.close();
    publisher.kill('SIGKILL');
  }
}

async function startServer(transcode: boolean): Promise<TestServer> {
  return TestServer.start({
    log: { level: 'warn' },
    live: { enabled: true, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: transcode, threads: 1 } },
    runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 1, ffmpeg_nice: 0 } },
  });
}

/** The low-latency mode with live transcoding on: the server re-encodes (x264 zerolatency, 1 s keyframes) before packaging. */
async function measureLowLatencyEncoded(): Promise<number[]> {
  const server = await startServer(true);
  try {
    return await measureMode(server, 100);
  } finally {
    await server.stop();
  }
}

export async function liveLatencyBench(): Promise<BenchRow[]> {
  const encoded = await measureLowLatencyEncoded();
  const server = await startServer(false);
  try {
    const low = await measureMode(server, 100);
    const small = await measureMode(server, 3);
    const normal = await measureMode(server, 1);
    if (encoded.length < 100 || low.length < 100 || small.length < 100 || normal.length < 100) {
      throw new Error(`too few decoded frames: ${encoded.length} + ${low.length} low-latency, ${small.length} small-latency, ${normal.length} default`);
    }
    const rows: BenchRow[] = [];
    for (const p of [50, 95]) {
      rows.push({
        name: `low-latency mode, server re-encoding (x264 zerolatency, 1 s keyframes), glass-to-glass p${p} (frames: ${encoded.length})`,
        value: percentile(encoded, p),
        unit: 'ms',
        baselineName: `low-latency mode remuxing the publisher's stream, same run (frames: ${low.length})`,
        baseline: percentile(low, p),
        note: 'lower is better; goal ≤ 3000 ms at p50',
      });
    }
    for (const p of [50, 95]) {
      rows.push({
        name: `low-latency mode (LL-HLS, 0.25 s parts), glass-to-glass p${p} (frames decoded: ${low.length})`,
        value: percentile(low, p),
        unit: 'ms',
        baselineName: `plain HLS, 2 s segments (small-latency mode), same run (frames: ${small.length})`,
        baseline: percentile(small, p),
        note: 'lower is better; goal ≤ 3000 ms at p50',
      });
    }
    for (const p of [50, 95]) {
      rows.push({
        name: `small-latency mode (2 s segments), glass-to-glass p${p} (frames decoded: ${small.length})`,
        value: percentile(small, p),
        unit: 'ms',
        baselineName: `default mode (4 s segments), same run (frames: ${normal.length})`,
        baseline: percentile(normal, p),
        note: 'lower is better',
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
}
