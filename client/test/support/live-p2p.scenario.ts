/// <reference types="node" />
/**
 * A live watched by two headless Chromium viewers with P2P, inside the loopback-only namespace
 * (notes/p2p.md): a real ffmpeg publisher over RTMP, the embedded runner making the live HLS, the
 * viewers opening the watch page 4 s apart and playing the live for a while. Reports each viewer's
 * player counters (HTTP and peer bytes, hash-rejected segments, errors). Arguments (the live P2P
 * bench): number of viewers (default 2), watch time in ms (default 40,000), and how many segments
 * the live's playlist holds before the first viewer comes (default 5: a live already running),
 * and the latency mode (default 1).
 *
 * Why the last one: the player stays 5 segments (20 s) behind the edge only when the playlist is
 * that long. A viewer who comes in the live's first seconds starts at the playlist's first segment,
 * a few seconds from the edge, and stays there; new segments are then at once within its 6 s
 * high-demand window, which p2p-media-loader always fetches over HTTP. Such a viewer serves the
 * others and gets nothing from them (bench: 0 % from peers, 4 s behind the edge, against 66–86 %
 * for the viewers 10–16 s behind).
 */
import { spawn } from 'node:child_process';
import type { User } from '@flotilla/shared';
import { freePort } from '../../../server/test/helpers/test-server';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer, type PlayerState } from './viewers';

export interface LiveP2PResult {
  error: string | null;
  viewers: PlayerState[];
  pageErrors: string[][];
}

const VIEWERS = Number(process.argv[2] ?? 2);
const WATCH_MS = Number(process.argv[3] ?? 40_000);
const JOIN_AFTER_SEGMENTS = Number(process.argv[4] ?? 5);
/** PeerTube's latency mode: 1 default (4 s segments), 3 small latency (2 s). */
const LATENCY_MODE = Number(process.argv[5] ?? 1);

/** Segments in the live's first rendition playlist now. */
async function liveSegments(masterUrl: string): Promise<number> {
  const master = await (await fetch(masterUrl)).text();
  const variant = master.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!variant) return 0;
  const media = await (await fetch(new URL(variant.trim(), masterUrl))).text();
  return media.split('\n').filter((l) => l.startsWith('#EXTINF')).length;
}

async function main(): Promise<void> {
  const result: LiveP2PResult = { error: null, viewers: [], pageErrors: [] };
  let stack: Stack | null = null;
  const viewers: Viewer[] = [];
  let publisher: ReturnType<typeof spawn> | null = null;
  try {
    const rtmpPort = await freePort();
    stack = await startStack({
      log: { level: 'warn' },
      live: { enabled: true, rtmp: { port: rtmpPort, hostname: '127.0.0.1' }, transcoding: { enabled: false } },
      runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 1, ffmpeg_nice: 0 } },
    });
    const admin = await stack.server.login();
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await admin.request<{ video: { id: number; shortUUID: string } }>('POST', '/api/v1/videos/live', {
      json: { channelId, name: 'P2P live', privacy: 1, latencyMode: LATENCY_MODE },
    });
    const live = await admin.get<{ rtmpUrl: string; streamKey: string }>(`/api/v1/videos/live/${video.id}`);
    publisher = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-b:v', '800k',
      '-c:a', 'aac', '-b:a', '64k', '-threads', '1', '-f', 'flv', `${live.rtmpUrl}/${live.streamKey}`,
    ], { stdio: 'ignore' });
    const onAir = await until('the live to be on air', async () => {
      const v = await admin.get<{ state: { id: number }; streamingPlaylists: { playlistUrl: string }[] }>(`/api/v1/videos/${video.id}`);
      return v.state.id === 1 && v.streamingPlaylists[0] ? v.streamingPlaylists[0].playlistUrl : null;
    }, 60_000, 500);
    await until(`${JOIN_AFTER_SEGMENTS} live segments`, async () => (await liveSegments(onAir)) >= JOIN_AFTER_SEGMENTS, 90_000, 500);
    for (let i = 0; i < VIEWERS; i++) {
      if (i > 0) await sleep(4000);
      const v = await Viewer.launch(`live-viewer-${i + 1}`, stack.server.url);
      viewers.push(v);
      await v.open(`${stack.server.url}/w/${video.shortUUID}`);
    }
    await sleep(WATCH_MS);
    result.viewers = await Promise.all(viewers.map((v) => v.state()));
    result.pageErrors = viewers.map((v) => v.pageErrors);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    for (const v of viewers) await v.close().catch(() => undefined);
    publisher?.kill('SIGKILL');
    await stack?.stop().catch(() => undefined);
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
