import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/src/api/http';
import { createLive, Publisher } from './helpers/live';
import { waitFor } from './helpers/runners';
import { freePort, TestServer } from './helpers/test-server';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false } };
const AP = { Accept: 'application/activity+json' };

type Remote = { id: number; isLive: boolean; isLocal: boolean; state: { id: number }; streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string }[]; trackerUrls: string[] };

/**
 * Issue 12 item 8: lives federate as PeerTube's do. B creates a live, A (following B) lists it as a
 * live waiting for its stream; a real ffmpeg publisher goes on air on B and A sees it published
 * with B's live playlist; the publisher stops and A sees it ended. A watch page on A follows the
 * remote live on A's /live-videos and gets both state changes.
 */
describe('live federation between two instances', () => {
  let a: TestServer;
  let b: TestServer;
  let rootB: ApiClient;
  let publisher: Publisher | null = null;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      TestServer.start({ ...FED, transcoding: { enabled: false } }),
      TestServer.start({
        ...FED,
        live: {
          enabled: true,
          reconnect_grace: '1 second',
          latency_setting: { enabled: true },
          rtmp: { port: await freePort(), hostname: '127.0.0.1' },
          transcoding: { enabled: false },
        },
        runners: { embedded: { enabled: true, concurrency: 2, ffmpeg_threads: 1 } },
      }),
    ]);
    const rootA = await a.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [new URL(b.url).host] } });
    await waitFor(async () => (await rootA.get<{ data: { state: string }[] }>('/api/v1/server/following')).data.some((f) => f.state === 'accepted'), 20_000, 100);
    rootB = await b.login();
  }, 120_000);

  afterAll(async () => {
    await publisher?.kill();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a live reaches A waiting, goes on air with B\'s live playlist, and ends', async () => {
    const channelId = (await rootB.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const { uuid, live } = await createLive(rootB, channelId, { name: 'Federated live', latencyMode: 3, saveReplay: false, permanentLive: false });

    // B's Video object: a live broadcast with its settings (activitypub.md §4).
    const object = await (await fetch(`${b.url}/videos/watch/${uuid}`, { headers: AP })).json();
    expect(object).toMatchObject({ type: 'Video', isLiveBroadcast: true, liveSaveReplay: false, permanentLive: false, latencyMode: 3, state: 4 });
    // PeerTube refuses a Video without icon: a live has placeholder pictures until it has frames.
    expect(object.icon).toHaveLength(2);
    const icon = await fetch(object.icon[0].url);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/jpeg');

    // Created on B → on A as a remote live waiting for its stream (4).
    const waiting = await waitFor(() => a.api.get<Remote>(`/api/v1/videos/${uuid}`).catch(() => null), 15_000, 100);
    expect(waiting).toMatchObject({ isLive: true, isLocal: false, state: { id: 4 } });
    // What A's watch page does: follow the live on A's own /live-videos.
    const socket = connect(`${a.url}/live-videos`, { transports: ['websocket'], reconnection: false });
    const pushed: number[] = [];
    socket.on('state-change', (e: { state: number }) => pushed.push(e.state));
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    socket.emit('subscribe', { videoId: waiting.id });

    // On air on B → Update → published (1) on A, playing from B's live HLS through B's tracker.
    publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
    const onAir = await waitFor(async () => {
      const v = await a.api.get<Remote>(`/api/v1/videos/${uuid}`);
      return v.state.id === 1 && v.streamingPlaylists.length > 0 ? v : null;
    }, 60_000, 200);
    expect(onAir.isLive).toBe(true);
    const onB = await rootB.get<Remote>(`/api/v1/videos/${uuid}`);
    expect(onAir.streamingPlaylists[0]!.playlistUrl).toBe(onB.streamingPlaylists[0]!.playlistUrl);
    expect(onAir.streamingPlaylists[0]!.playlistUrl.startsWith(`${b.url}/static/streaming-playlists/hls/${uuid}/`)).toBe(true);
    expect(onAir.streamingPlaylists[0]!.segmentsSha256Url).toBe(onB.streamingPlaylists[0]!.segmentsSha256Url);
    expect(onAir.trackerUrls).toContain(`ws://${new URL(b.url).host}/tracker/socket`);
    const master = await fetch(onAir.streamingPlaylists[0]!.playlistUrl);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('#EXTM3U');

    // The publisher stops → ended (5) on A.
    await publisher.stop();
    const ended = await waitFor(async () => {
      const v = await a.api.get<Remote>(`/api/v1/videos/${uuid}`);
      return v.state.id === 5 ? v : null;
    }, 30_000, 200);
    expect(ended.isLive).toBe(true);
    await waitFor(async () => pushed.includes(5), 5000, 100);
    socket.close();
    expect(pushed).toEqual([1, 5]);
  }, 120_000);
});
