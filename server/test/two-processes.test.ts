import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ApiClient } from '../../client/src/api/http';
import { RunnerSide, waitFor } from './helpers/runners';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/**
 * Two server processes on one database, Redis and storage (as behind one reverse proxy), one
 * runner holding its socket to process A: work created through process B reaches it at once,
 * through socket.io's Redis adapter, and both processes push `available-jobs` to it. A runner
 * removed through one process is disconnected from the other.
 */
describe('two server processes', () => {
  let a: TestServer;
  let b: TestServer;
  let adminA: ApiClient;
  let adminB: ApiClient;
  let runner: RunnerSide;
  let socket: Socket;
  let dir: string;
  let clip: string;
  let channelId: number;
  const pings: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-two-processes-'));
    clip = makeClip(dir, 'clip.mp4', { seconds: 3, size: '320x240' });
    a = await TestServer.start({ rates_limit: { enabled: false } });
    b = await TestServer.sibling(a);
    adminA = await a.login();
    adminB = await b.login();
    channelId = (await adminB.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0].id;
    runner = await RunnerSide.register(a, adminA, 'runner-on-a');
    socket = connect(`${a.url}/runners`, { auth: { runnerToken: runner.runnerToken }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    socket.on('available-jobs', () => pings.push(Date.now()));
  });

  afterAll(async () => {
    socket?.close();
    await b?.stop();
    await a?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const upload = async (api: ApiClient, name: string) => {
    const before = pings.length;
    const { video } = await legacyUpload(api, clip, { name, channelId: String(channelId) });
    const answered = Date.now();
    return { video, answered, before };
  };

  it('a job created through process B reaches the runner connected to A within 1 s', async () => {
    const { video, answered, before } = await upload(adminB, 'uploaded to B');
    const at = await waitFor(async () => pings[before], 1000, 20);
    expect(at - answered).toBeLessThan(1000);
    // Both processes read the same jobs: the runner finds the new one through A.
    const { availableJobs } = await runner.request();
    expect(availableJobs.some((j) => (j.payload.input as { videoFileUrl: string }).videoFileUrl.includes(video.uuid))).toBe(true);
  });

  it('process A pushes available-jobs too', async () => {
    // Past the other ping's 1 s debounce window, so this one goes at once.
    await new Promise((r) => setTimeout(r, 1100));
    const { answered, before } = await upload(adminA, 'uploaded to A');
    const at = await waitFor(async () => pings[before], 1000, 20);
    expect(at - answered).toBeLessThan(1000);
  });

  it('a runner deleted through process B loses its socket on process A', async () => {
    const doomed = await RunnerSide.register(a, adminA, 'runner-to-delete');
    const sock = connect(`${a.url}/runners`, { auth: { runnerToken: doomed.runnerToken }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      sock.on('connect', () => resolve());
      sock.on('connect_error', reject);
    });
    const dropped = new Promise<string>((resolve) => sock.on('disconnect', (reason) => resolve(reason)));
    const runners = await adminB.get<{ data: { id: number; name: string }[] }>('/api/v1/runners');
    await adminB.request('DELETE', `/api/v1/runners/${runners.data.find((r) => r.name === 'runner-to-delete')!.id}`);
    expect(await Promise.race([dropped, new Promise((r) => setTimeout(() => r('still connected'), 2000))])).toBe('io server disconnect');
    expect(socket.connected).toBe(true);
  });
});
