/// <reference types="node" />
/**
 * A low-latency live (Flotilla's latencyMode 100, LL-HLS) watched in headless Chromium, inside the
 * loopback-only namespace: a real ffmpeg publisher over RTMP, the server packaging the stream
 * itself (remux, no runner), the watch page playing it for a while. Reports the player's counters,
 * the LL-HLS requests the page made (blocking playlist reloads, parts), how far behind the live
 * edge it played and the latency the page showed. Before and while it streams, the owner's pages
 * (live-owner.ts): the edit page's Live settings, the Go-live page's list of lives.
 */
import { spawn } from 'node:child_process';
import type { User } from '@flotilla/shared';
import { freePort, ROOT_PASSWORD } from '../../../server/test/helpers/test-server';
import { checkGoLiveList, checkLiveEditPage, uiLogin, type OwnerChecks } from './live-owner';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer, type PlayerState } from './viewers';

export interface LiveLlResult {
  error: string | null;
  viewer: PlayerState | null;
  /** Playlist requests carrying `_HLS_msn` answered 200, and their statuses otherwise. */
  blockingReloads: number;
  blockingFailures: number[];
  partsFetched: number;
  /** Seconds between the playhead and the end of what the player can seek to, sampled each second. */
  behindEdge: number[];
  /** The watch page's latency figure, sampled with behindEdge. */
  latency: PlayerState['liveLatency'][];
  owner: OwnerChecks;
  pageErrors: string[];
}

const WATCH_MS = 20_000;

async function main(): Promise<void> {
  const result: LiveLlResult = { error: null, viewer: null, blockingReloads: 0, blockingFailures: [], partsFetched: 0, behindEdge: [], latency: [], owner: { checks: {}, a11y: {}, notes: [] }, pageErrors: [] };
  let stack: Stack | null = null;
  let viewer: Viewer | null = null;
  let owner: Viewer | null = null;
  let publisher: ReturnType<typeof spawn> | null = null;
  try {
    stack = await startStack({
      log: { level: 'warn' },
      live: { enabled: true, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } },
      runners: { embedded: { enabled: false } },
    });
    const admin = await stack.server.login();
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await admin.request<{ video: { id: number; shortUUID: string } }>('POST', '/api/v1/videos/live', {
      json: { channelId, name: 'Low-latency live', privacy: 1, latencyMode: 100 },
    });
    const ownerFrom = Date.now();
    owner = await Viewer.launch('owner', stack.server.url);
    result.owner.checks['the owner logs in'] = await uiLogin(owner, stack.server.url, 'root', ROOT_PASSWORD);
    // The edit page makes a new key: the publisher streams with the key the API has afterwards.
    const live = await checkLiveEditPage(owner, stack.server.url, admin, video, result.owner);
    const ownerBeforeMs = Date.now() - ownerFrom;
    publisher = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '25', '-keyint_min', '25', '-b:v', '800k',
      '-c:a', 'aac', '-b:a', '64k', '-threads', '1', '-f', 'flv', `${live.rtmpUrl}/${live.streamKey}`,
    ], { stdio: 'ignore' });
    await until('the live to be on air', async () => (await admin.get<{ state: { id: number } }>(`/api/v1/videos/${video.id}`)).state.id === 1, 60_000, 250);
    const listFrom = Date.now();
    await checkGoLiveList(owner, stack.server.url, video, result.owner);
    result.owner.notes.push(`owner's pages took ${ownerBeforeMs} ms before the stream, ${Date.now() - listFrom} ms on air`);
    result.pageErrors.push(...owner.pageErrors.map((e) => `owner: ${e}`));
    // Closed before the viewer comes: its pages would compete with the measured player.
    await owner.close();
    owner = null;
    viewer = await Viewer.launch('ll-viewer', stack.server.url);
    viewer.page.on('requestfinished', (req) => {
      const url = req.url();
      if (/\/ll\/seg-\d+\.\d+\.m4s/.test(url)) result.partsFetched++;
      if (!url.includes('_HLS_msn=')) return;
      void req.response().then((res) => {
        if (res?.status() === 200) result.blockingReloads++;
        else result.blockingFailures.push(res?.status() ?? 0);
      });
    });
    await viewer.open(`${stack.server.url}/w/${video.shortUUID}`);
    await until('playback', async () => (await viewer!.state()).currentTime > 1, 30_000, 250);
    for (let end = Date.now() + WATCH_MS; Date.now() < end; ) {
      await sleep(1000);
      const sample = await viewer.page.evaluate(() => {
        const v = document.querySelector('video')!;
        const shown = document.querySelector<HTMLElement>('[data-live-latency]');
        return {
          behind: v.seekable.length ? v.seekable.end(v.seekable.length - 1) - v.currentTime : NaN,
          latency: shown ? { text: shown.textContent?.trim() ?? '', measured: shown.dataset.liveLatency ?? '' } : null,
        };
      });
      result.behindEdge.push(sample.behind);
      result.latency.push(sample.latency);
    }
    result.viewer = await viewer.state();
    result.pageErrors.push(...viewer.pageErrors);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    await viewer?.close().catch(() => undefined);
    await owner?.close().catch(() => undefined);
    publisher?.kill('SIGKILL');
    await stack?.stop().catch(() => undefined);
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
