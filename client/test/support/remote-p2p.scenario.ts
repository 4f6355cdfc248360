/// <reference types="node" />
/**
 * Remote playback with P2P across two instances, inside the loopback-only namespace (notes/p2p.md):
 * B transcodes an upload (embedded runner), A follows B and lists B's video, then one headless
 * Chromium viewer opens B's watch page and another, a few seconds later, A's watch page of the same
 * (remote) video. A's page must play from B's HLS files, announce to B's tracker, check peer
 * segments against B's segments-sha256.json, and share one swarm with B's viewer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '@flotilla/shared';
import type { ApiClient } from '../../src/api/http';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer, type PlayerState } from './viewers';

export interface RemoteP2PResult {
  error: string | null;
  originUrl: string;
  /** What A's API says of B's video. */
  onA: { isLocal: boolean; playlistUrl: string; segmentsSha256Url: string; trackerUrls: string[] } | null;
  /** [viewer on B, viewer on A]. */
  viewers: PlayerState[];
  /** Tracker WebSockets A's page opened. */
  trackerSocketsOfA: string[];
  /** Hash lists A's page fetched, with their HTTP status. */
  hashListsOfA: { url: string; status: number }[];
  pageErrors: string[][];
}

const FED = { federation: { enabled: true, prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } } };

type Details = {
  uuid: string;
  shortUUID: string;
  isLocal: boolean;
  state: { id: number };
  trackerUrls: string[];
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string; files: unknown[] }[];
};

async function follow(a: Stack, b: Stack): Promise<void> {
  const rootA = await a.server.login();
  await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [new URL(b.server.url).host] } });
  await until('A following B accepted', async () => {
    const list = await rootA.get<{ data: { state: string }[] }>('/api/v1/server/following');
    return list.data.some((f) => f.state === 'accepted');
  }, 30_000);
}

async function publishOnB(rootB: ApiClient, clip: string): Promise<Details> {
  const channelId = (await rootB.get<User>('/api/v1/users/me')).videoChannels[0].id;
  const { video } = await uploadVideo(rootB, clip, { name: 'remote swarm', channelId: String(channelId), privacy: '1' });
  // Both rungs in: the master the viewers load (from B) no longer changes, nor do its swarms.
  return until('both renditions on B', async () => {
    const v = await rootB.get<Details>(`/api/v1/videos/${video.uuid}`);
    return v.state.id === 1 && v.streamingPlaylists[0]?.files.length === 2 ? v : null;
  }, 150_000, 1000);
}

async function main(): Promise<void> {
  const result: RemoteP2PResult = { error: null, originUrl: '', onA: null, viewers: [], trackerSocketsOfA: [], hashListsOfA: [], pageErrors: [] };
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-remote-p2p-'));
  const stacks: Stack[] = [];
  const viewers: Viewer[] = [];
  try {
    // 60 s in 2 s-keyframe segments: longer than the first viewer's 30 s forward buffer, so that
    // the later viewer's engine fetches segments ahead that the first viewer then takes from it
    // (with 40 s the first viewer sometimes held the whole video before the second one joined).
    const clip = makeClip(dir, 'two-instances.mp4', { seconds: 60, size: '640x360', keyframeSeconds: 2 });
    const b = await startStack({ log: { level: 'warn' }, ...FED });
    stacks.push(b);
    // A transcodes nothing: it only lists B's video.
    const a = await startStack({ log: { level: 'warn' }, ...FED, transcoding: { enabled: false }, runners: { embedded: { enabled: false } } });
    stacks.push(a);
    result.originUrl = b.server.url;
    await follow(a, b);
    const video = await publishOnB(await b.server.login(), clip);
    const remote = await until('B\'s video on A with its playlist', async () => {
      const v = await a.server.api.get<Details>(`/api/v1/videos/${video.uuid}`).catch(() => null);
      return v?.streamingPlaylists[0] ? v : null;
    }, 30_000, 500);
    const hls = remote.streamingPlaylists[0];
    result.onA = { isLocal: remote.isLocal, playlistUrl: hls.playlistUrl, segmentsSha256Url: hls.segmentsSha256Url, trackerUrls: remote.trackerUrls };

    const onB = await Viewer.launch('viewer-on-b', b.server.url);
    viewers.push(onB);
    await onB.open(`${b.server.url}/w/${video.shortUUID}`);
    await sleep(4000);
    const onA = await Viewer.launch('viewer-on-a', a.server.url);
    viewers.push(onA);
    onA.page.on('websocket', (ws) => {
      if (/\/tracker\//.test(ws.url())) result.trackerSocketsOfA.push(ws.url());
    });
    onA.page.on('response', (res) => {
      if (/segments-sha256\.json/.test(res.url())) result.hashListsOfA.push({ url: res.url(), status: res.status() });
    });
    await onA.open(`${a.server.url}/w/${remote.shortUUID}`);
    // Both play a while and both got bytes from the other (or the time runs out: the test says which).
    await until('both viewers to get bytes from the other', async () => {
      const states = await Promise.all(viewers.map((v) => v.state()));
      return states.every((s) => s.p2pBytes > 0 && s.currentTime > 4) ? states : null;
    }, 60_000, 500).catch(() => undefined);
    result.viewers = await Promise.all(viewers.map((v) => v.state()));
    result.pageErrors = viewers.map((v) => v.pageErrors);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    for (const v of viewers) await v.close();
    if (result.error) for (const s of stacks) process.stderr.write(`--- ${s.server.url} output ---\n${s.server.output.slice(-10_000)}\n`);
    for (const s of stacks) await s.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
