import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '@socket.io/redis-adapter';
import IORedis from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { Job, ResultList } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { registerUser } from '../../client/src/api/users';
import { sleep, waitFor } from './helpers/runners';
import { expectProblem, TestServer } from './helpers/test-server';

/**
 * The platform room: the boot check of the queue registry, the admins' job list, and the shared
 * socket.io namespaces. Room joins are observed through the Redis adapter from this process, as
 * another server process would emit into them.
 */
describe('queue registry boot check', () => {
  it('refuses to boot when a declared job has no handler, naming the job', async () => {
    const err = await TestServer.start({}, { FLOTILLA_TEST_UNHANDLED_JOB: 'nobody-handles-me' }).then(
      async (started) => {
        await started.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.message).toMatch(/exited with 1 before listening/);
    expect(err!.message).toContain('job test/nobody-handles-me is declared but has no handler');
  });
});

describe('platform', () => {
  let server: TestServer;
  let admin: ApiClient;
  let user: ApiClient;
  let userId: number;
  let emitter: Server;
  const redisClients: IORedis[] = [];

  const connectTo = (path: string, opts: Parameters<typeof connect>[1] = {}): Socket =>
    connect(`${server.url}${path}`, { transports: ['websocket'], reconnection: false, ...opts });
  const connected = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.on('connect', () => resolve());
      s.on('connect_error', reject);
    });
  const refusal = (s: Socket) => new Promise<string>((resolve) => s.on('connect_error', (e) => resolve(e.message)));

  beforeAll(async () => {
    server = await TestServer.start();
    admin = await server.login();
    await registerUser(server.api, { username: 'alice', password: 'alice-password', email: 'alice@example.com' } as Parameters<typeof registerUser>[1]);
    user = await server.login('alice', 'alice-password');
    userId = (await user.get<{ id: number }>('/api/v1/users/me')).id;
    // A socket.io server in this process on the same Redis and prefix: what it emits to a room
    // reaches the real server's sockets in that room, as another server process's would.
    const pub = new IORedis({ host: '127.0.0.1', port: 6379 });
    const sub = new IORedis({ host: '127.0.0.1', port: 6379 });
    redisClients.push(pub, sub);
    emitter = new Server();
    emitter.adapter(createAdapter(pub, sub, { key: `${server.redisPrefix}:socket.io` }));
  });

  afterAll(async () => {
    for (const c of redisClients) c.disconnect();
    await server?.stop();
  });

  it('lists queued jobs by state in PeerTube shape, for admins only', async () => {
    await expectProblem(server.api.get('/api/v1/jobs/delayed'), 401);
    await expectProblem(user.get('/api/v1/jobs/delayed'), 403);
    await expectProblem(admin.get('/api/v1/jobs/sleeping'), 400, 'invalid_params');
    await expectProblem(admin.get('/api/v1/jobs/failed', { jobType: 'no-such-job' }), 400, 'invalid_params');
    await expectProblem(admin.get('/api/v1/jobs/failed', { sort: 'name' }), 400, 'invalid_params');
    await expectProblem(admin.get('/api/v1/jobs/failed', { count: 0 }), 400, 'invalid_params');
    await expectProblem(admin.get('/api/v1/jobs/failed', { count: 101 }), 400, 'invalid_params');

    // The housekeeping jobs are repeatable: their next run waits as a delayed job.
    const delayed = await admin.get<ResultList<Job>>('/api/v1/jobs/delayed');
    expect(delayed.data.map((j) => j.type).sort()).toEqual(['flush-views', 'sweep-orphan-files', 'sweep-uploads']);
    const one = delayed.data[0];
    expect(one).toMatchObject({ state: 'delayed', data: {}, error: null });
    expect(Object.keys(one).sort()).toEqual(['createdAt', 'data', 'error', 'finishedOn', 'id', 'priority', 'processedOn', 'progress', 'state', 'type']);
    expect(Date.parse(one.createdAt)).toBeGreaterThan(0);

    // flush-views runs every 5 s: it shows up as completed, with its times, and filters by type.
    const completed = await waitFor(async () => {
      const r = await admin.get<ResultList<Job>>('/api/v1/jobs/completed', { jobType: 'flush-views' });
      return r.total > 0 ? r : null;
    }, 15_000, 500);
    expect(completed.data.every((j) => j.type === 'flush-views' && j.state === 'completed')).toBe(true);
    expect(Date.parse(completed.data[0].processedOn!)).toBeGreaterThanOrEqual(Date.parse(completed.data[0].createdAt));
    expect(Date.parse(completed.data[0].finishedOn!)).toBeGreaterThanOrEqual(Date.parse(completed.data[0].processedOn!));

    // No state: every state; start/count page it; total stays the whole count.
    const all = await admin.get<ResultList<Job>>('/api/v1/jobs', { count: 100 });
    expect(all.total).toBeGreaterThanOrEqual(delayed.total + completed.total);
    const page = await admin.get<ResultList<Job>>('/api/v1/jobs', { start: 1, count: 1, sort: 'createdAt' });
    expect(page.data).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(all.total);
    const oldestFirst = await admin.get<ResultList<Job>>('/api/v1/jobs', { count: 100, sort: 'createdAt' });
    const times = oldestFirst.data.map((j) => Date.parse(j.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('authenticates /user-notifications with the access token and puts the socket in its user room', async () => {
    const none = connectTo('/user-notifications');
    expect(await refusal(none)).toMatch(/no access token/i);
    none.close();
    const bad = connectTo('/user-notifications', { query: { accessToken: 'not-a-token' } });
    expect(await refusal(bad)).toMatch(/invalid access token/i);
    bad.close();

    const mine = connectTo('/user-notifications', { query: { accessToken: user.accessToken! } });
    await connected(mine);
    const received: unknown[] = [];
    mine.on('new-notification', (n) => received.push(n));
    const theirs = connectTo('/user-notifications', { auth: { accessToken: admin.accessToken! } });
    await connected(theirs);
    const theirsReceived: unknown[] = [];
    theirs.on('new-notification', (n) => theirsReceived.push(n));

    const notification = { id: 1, type: 6, read: false, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
    emitter.of('/user-notifications').to(`user:${userId}`).emit('new-notification', notification);
    await waitFor(async () => received.length === 1, 3000, 50);
    expect(received[0]).toEqual(notification);
    await sleep(300);
    expect(theirsReceived).toHaveLength(0);
    mine.close();
    theirs.close();
  });

  it('joins and leaves a live video room on /live-videos subscribe and unsubscribe', async () => {
    const viewer = connectTo('/live-videos');
    await connected(viewer);
    const events: unknown[] = [];
    viewer.on('state-change', (e) => events.push(e));
    viewer.emit('subscribe', { videoId: 'not-an-id' });
    viewer.emit('subscribe', { videoId: 42 });
    await waitFor(async () => (await emitter.of('/live-videos').in('video:42').fetchSockets()).length === 1, 3000, 50);
    expect(await emitter.of('/live-videos').in('video:not-an-id').fetchSockets()).toHaveLength(0);

    emitter.of('/live-videos').to('video:42').emit('state-change', { state: 1 });
    await waitFor(async () => events.length === 1, 3000, 50);
    expect(events[0]).toEqual({ state: 1 });

    viewer.emit('unsubscribe', { videoId: 42 });
    await waitFor(async () => (await emitter.of('/live-videos').in('video:42').fetchSockets()).length === 0, 3000, 50);
    emitter.of('/live-videos').to('video:42').emit('state-change', { state: 2 });
    await sleep(300);
    expect(events).toHaveLength(1);
    viewer.close();
  });
});
