/// <reference types="node" />
/**
 * P2P swarm measurement, run by scripts/bench/p2p.bench.ts inside a loopback-only namespace:
 * the real server transcodes a generated clip (embedded runner), then for each swarm size N,
 * N headless Chromium viewers open the watch page a few seconds apart and play until they hold the
 * whole video — once with P2P, once more with P2P turned off in every player (the baseline, same
 * N, same gaps, its own copy of the video). A viewer that does not hold the whole video in time
 * fails the run. Argument: swarm sizes, e.g. `3,5,8`.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '@flotilla/shared';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer, type PlayerState, type Sched } from './viewers';

export interface SwarmViewer extends PlayerState {
  segmentBytesFromServer: number;
  /** CPU its browser used from navigation to the first picture, and its run-queue wait. */
  startupCpu: Sched | null;
}
export interface SwarmRun {
  viewers: number;
  /** false: the baseline run, every player with P2P off. */
  p2p: boolean;
  gapMs: number;
  states: SwarmViewer[];
  /** Bytes the server process wrote (sockets, logs) while the swarm played: /proc/<pid>/io wchar. */
  serverWrittenBytes: number;
}
export interface SwarmResult {
  error: string | null;
  clipSeconds: number;
  /** Size of each HLS rendition file (fMP4, byte ranges), by height. */
  renditionBytes: Record<string, number>;
  runs: SwarmRun[];
}

const GAP_MS = 4000;
const CLIP_SECONDS = 60;

function serverWchar(pid: number): number {
  return Number(/wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

async function publish(stack: Stack, clip: string): Promise<{ uuid: string; shortUUID: string; renditionBytes: Record<string, number> }> {
  const admin = await stack.server.login();
  const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
  const { video } = await uploadVideo(admin, clip, { name: 'swarm bench', channelId: String(channelId) });
  type D = { state: { id: number }; streamingPlaylists: { playlistUrl: string; files: { resolution: { id: number }; size: number }[] }[] };
  const d = await until('both renditions', async () => {
    const v = await admin.get<D>(`/api/v1/videos/${video.uuid}`);
    return v.state.id === 1 && v.streamingPlaylists[0]?.files.length === 2 ? v : null;
  }, 150_000, 1000);
  const renditionBytes: Record<string, number> = {};
  for (const f of d.streamingPlaylists[0].files) renditionBytes[`${f.resolution.id}p`] = f.size;
  return { uuid: video.uuid, shortUUID: video.shortUUID, renditionBytes };
}

async function swarm(stack: Stack, watchUrl: string, n: number, p2p: boolean): Promise<SwarmRun> {
  const viewers: Viewer[] = [];
  const before = serverWchar(stack.server.proc!.pid!);
  try {
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(GAP_MS);
      const v = await Viewer.launch(`viewer-${i + 1}`, stack.server.url, { p2p });
      viewers.push(v);
      await v.open(watchUrl);
    }
    // Everyone holds the whole video: the shares are final. A stalled viewer would make the server
    // bytes look better than they are, so it fails the run instead of being measured.
    const done = (s: PlayerState) => s.duration > 0 && s.bufferedEnd >= s.duration - 0.5;
    await until('every viewer to buffer the video', async () => (await Promise.all(viewers.map((v) => v.state()))).every(done), 90_000, 500).catch(async () => {
      const states = await Promise.all(viewers.map((v) => v.state()));
      const late = states.map((st, i) => (done(st) ? null : `viewer ${i + 1}: buffered ${st.bufferedEnd.toFixed(1)} of ${st.duration.toFixed(1)} s, error ${st.error}`)).filter(Boolean);
      throw new Error(`${n} viewers (P2P ${p2p ? 'on' : 'off'}): not every viewer holds the video after 90 s — ${late.join('; ')}`);
    });
    // Counters settle (the last segment's stats and network events arrive after its bytes).
    await sleep(1000);
    const states = await Promise.all(viewers.map(async (v) => ({ ...(await v.state()), segmentBytesFromServer: v.segmentBytesFromServer, startupCpu: v.startupCpu() })));
    if (!p2p && states.some((st) => st.p2pBytes > 0)) throw new Error('the P2P-off baseline received peer bytes: the players did not turn P2P off');
    return { viewers: n, p2p, gapMs: GAP_MS, states, serverWrittenBytes: serverWchar(stack.server.proc!.pid!) - before };
  } finally {
    for (const v of viewers) await v.close();
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '3,5,8').split(',').map(Number);
  const result: SwarmResult = { error: null, clipSeconds: CLIP_SECONDS, renditionBytes: {}, runs: [] };
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-p2p-bench-'));
  let stack: Stack | null = null;
  try {
    // Keyframes every 2 s, as cameras and editors write them: the remuxed 360p rung then has the
    // profile's 4 s segments (x264's default 10 s GOP would make 10 s ones, 1/6 of the video each).
    const clip = makeClip(dir, 'bench.mp4', { seconds: CLIP_SECONDS, size: '640x360', keyframeSeconds: 2 });
    stack = await startStack({ log: { level: 'warn' } });
    // One video per run (P2P and its baseline for each swarm size): each starts with an empty swarm
    // and a cold server cache for its files.
    const videos = [];
    for (const _ of sizes) videos.push([await publish(stack, clip), await publish(stack, clip)]);
    result.renditionBytes = videos[0][0].renditionBytes;
    for (const [i, n] of sizes.entries()) {
      result.runs.push(await swarm(stack, `${stack.server.url}/w/${videos[i][0].shortUUID}`, n, true));
      result.runs.push(await swarm(stack, `${stack.server.url}/w/${videos[i][1].shortUUID}`, n, false));
    }
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    await stack?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
