import { tempDir } from './helpers/tmp';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveRtmpHlsTranscodingPayload } from '@flotilla/shared';
import { processLiveHls } from '../src/processors/live-hls.processor';
import type { ProcessorContext } from '../src/processors/processor';
import { Workspace } from '../src/workspace/workspace';
import { waitFor } from './helpers/fake-runner-server';

/**
 * The live processor against a real RTMP server (node-media-server, as the Flotilla server runs
 * it) and a real ffmpeg publisher (320×240 H.264 + AAC): with a right hint ffmpeg runs from the
 * start; with a wrong one it is restarted from the probe and only the probed output is uploaded.
 * The server end to end, and a job without hint, are in server/test/live-takeover.test.ts.
 */
interface NodeMediaServer {
  run(): Promise<void>;
  stop(): Promise<void>;
}

let nms: NodeMediaServer;
let port = 0;
let publisher: ChildProcess;
const aborts: AbortController[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  port = await freePort();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ctor = require('node-media-server') as new (config: unknown) => NodeMediaServer;
  nms = new Ctor({ bind: '127.0.0.1', rtmp: { port, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 }, record: { auto: false }, store: { path: tempDir('flotilla-nms-') } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node-media-server/src/core/logger.js') as { level: string }).level = 'error';
  await nms.run();
  publisher = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '15', '-keyint_min', '15',
    '-c:a', 'aac', '-b:a', '64k', '-threads', '1', '-f', 'flv', `rtmp://127.0.0.1:${port}/live/key`,
  ], { stdio: ['ignore', 'ignore', 'ignore'] });
  await new Promise((r) => setTimeout(r, 1500));
}, 30_000);

afterEach(() => {
  for (const a of aborts.splice(0)) a.abort(new Error('test over'));
});

afterAll(async () => {
  publisher?.kill('SIGKILL');
  await nms?.stop().catch(() => undefined);
});

type Update = { payload: Record<string, string>; chunkExists: boolean; logsBefore: number };

/** Runs the processor on the live until it has sent `chunks` chunks, then aborts it. */
async function runLive(streamHint: LiveRtmpHlsTranscodingPayload['input']['streamHint'], chunks: number) {
  const logs: string[] = [];
  const updates: Update[] = [];
  const abort = new AbortController();
  aborts.push(abort);
  const workspace = await Workspace.create(tempDir('flotilla-live-hint-'), 'live-job');
  const payload: LiveRtmpHlsTranscodingPayload = {
    input: { rtmpUrl: `rtmp://127.0.0.1:${port}/live/key`, ...(streamHint ? { streamHint } : {}) },
    output: { toTranscode: [{ resolution: 240, fps: 15 }], segmentDuration: 2, segmentListSize: 5 },
  };
  const ctx: ProcessorContext<'live-rtmp-hls-transcoding'> = {
    jobUUID: 'live-job', payload, workspace, signal: abort.signal,
    ffmpeg: { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', threads: 1, nice: 0 },
    download: () => Promise.reject(new Error('no download in a live job')),
    probe: () => Promise.reject(new Error('no probe of a file in a live job')),
    setPhase: () => undefined,
    setProgress: () => undefined,
    log: (m) => logs.push(m),
    liveUpdate: async (p, files) => {
      updates.push({ payload: p, chunkExists: !!files.videoChunkFile && existsSync(files.videoChunkFile), logsBefore: logs.length });
    },
  };
  const done = processLiveHls(ctx).catch((err: Error) => err);
  await waitFor(() => updates.filter((u) => u.payload.type === 'add-chunk').length >= chunks, 40_000, `${chunks} chunks`);
  abort.abort(new Error('test over'));
  expect(await done).toBeInstanceOf(Error);
  await workspace.cleanup();
  return { logs, updates };
}

describe('live processor: ffmpeg from the server hint, checked by the probe', () => {
  it('keeps the ffmpeg started from a right hint', async () => {
    const { logs, updates } = await runLive({ video: { codec: 'h264', width: 320, height: 240, fps: 15 }, audio: { codec: 'aac', bitrate: 64_000, channels: 1 } }, 2);
    expect(logs.some((l) => l.startsWith('live timing: ffmpeg starts from the server hint'))).toBe(true);
    expect(logs.some((l) => l.startsWith('live timing: probe in'))).toBe(true);
    expect(logs.join('\n')).not.toContain('restarted');
    expect(logs).toContain('live: 240p (copy), 2 s segments');
    expect(updates.every((u) => u.payload.type !== 'add-chunk' || u.chunkExists)).toBe(true);
  }, 60_000);

  it('restarts ffmpeg with the probed values when the hint was wrong, and uploads only what the restarted ffmpeg made', async () => {
    // Announced: HEVC 1280×720 without audio (encode, no audio map); real: H.264 320×240 + AAC (copy).
    const { logs, updates } = await runLive({ video: { codec: 'hevc', width: 1280, height: 720, fps: 15 }, audio: null }, 2);
    const restartAt = logs.findIndex((l) => l.includes('ffmpeg restarted with the probed values'));
    expect(restartAt).toBeGreaterThan(-1);
    expect(logs.slice(0, restartAt)).toContain('live: 240p, 2 s segments');
    expect(logs.slice(restartAt)).toContain('live: 240p (copy), 2 s segments');
    // Every upload came after the restart, numbered from the start.
    expect(updates.every((u) => u.logsBefore > restartAt)).toBe(true);
    expect(updates[0]!.payload.videoChunkFilename).toBe('0-000000.ts');
  }, 60_000);

  it('without a hint, probes first (a PeerTube server’s job)', async () => {
    const { logs, updates } = await runLive(undefined, 1);
    expect(logs[1]).toMatch(/^live timing: probed, ffmpeg starts/);
    expect(logs.join('\n')).not.toContain('probe in');
    expect(updates.length).toBeGreaterThan(0);
  }, 60_000);
});
