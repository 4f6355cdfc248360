import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/src/api/http';
import { FakeActorServer, signPost } from './helpers/fake-actor';
import { TestServer } from './helpers/test-server';

const BASE = { rates_limit: { enabled: false }, transcoding: { enabled: false } };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

type Activity = { id: string; type: string };
const jobs = async (root: ApiClient, state: 'completed' | 'failed' | 'delayed' | 'waiting') =>
  (await root.request<{ data: { data: { activity: Activity } }[] }>('GET', `/api/v1/jobs/${state}`, { query: { jobType: 'process-activity', count: 100 } })).data.map((j) => j.data.activity.id);

/**
 * Remote documents an activity points at, refused without hurting the inbox queue: each refused
 * activity ends once (no retries asking the same host again), stores nothing, and the activity
 * queued behind it is processed.
 */
describe('remote document guards (size, time, redirect loops, private addresses)', () => {
  let fake: FakeActorServer;
  beforeAll(async () => {
    fake = new FakeActorServer();
    // ~2 MiB streamed without a Content-Length (the 1 MiB limit must cut the stream itself).
    fake.routes.set('/videos/huge', (_req, res) => {
      res.setHeader('content-type', 'application/activity+json');
      res.write('{"type":"Video","name":"');
      for (let i = 0; i < 32; i++) res.write('x'.repeat(64 * 1024));
      res.end('"}');
    });
    // Headers sent, body never finished (past the 10 s limit).
    fake.routes.set('/videos/slow', (_req, res) => {
      res.setHeader('content-type', 'application/activity+json');
      res.write('{');
    });
    fake.routes.set('/videos/loop', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/videos/loop2');
      res.end();
    });
    fake.routes.set('/videos/loop2', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/videos/loop');
      res.end();
    });
    await fake.start();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  /** A Create of the video at `path` on the fake's host (fetched by URL), then a Follow behind it. */
  async function sendPair(server: TestServer, path: string, tag: string) {
    const post = async (activity: Record<string, unknown>) => {
      const body = JSON.stringify(activity);
      const res = await fetch(`${server.url}/inbox`, { method: 'POST', body, headers: signPost(`${server.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
      expect(res.status).toBe(204);
    };
    const create = { id: `${fake.base}/creates/${tag}`, type: 'Create', actor: fake.actorUrl, object: `${fake.base}${path}` };
    const follow = { id: `${fake.base}/follows/${tag}`, type: 'Follow', actor: fake.actorUrl, object: `${server.url}/accounts/peertube` };
    await post(create);
    await post(follow);
    return { create: create.id, follow: follow.id };
  }

  async function expectRefusedThenNext(server: TestServer, root: ApiClient, ids: { create: string; follow: string }, timeoutMs = 30_000) {
    // The activity behind the refused one is processed (its follow row is written).
    await until(`the Follow behind ${ids.create}`, async () => (await server.sql('SELECT 1 FROM actor_follow WHERE url = $1', [ids.follow])).length === 1, timeoutMs);
    const done = await jobs(root, 'completed');
    // The refused one ended once: completed, not failed, not waiting for a retry.
    expect(done.filter((id) => id === ids.create)).toHaveLength(1);
    expect([...(await jobs(root, 'failed')), ...(await jobs(root, 'delayed'))]).not.toContain(ids.create);
    expect(await server.sql("SELECT 1 FROM video WHERE url LIKE $1", [`${fake.base}%`])).toEqual([]);
    await server.sql('DELETE FROM actor_follow WHERE url = $1', [ids.follow]);
  }

  describe('with prevent_ssrf off (loopback allowed)', () => {
    let b: TestServer;
    let root: ApiClient;
    beforeAll(async () => {
      b = await TestServer.start({ ...BASE, federation: { prevent_ssrf: false } });
      root = await b.login();
    }, 120_000);
    afterAll(async () => {
      await b?.stop();
    });

    it('a document larger than 1 MiB is refused', async () => {
      await expectRefusedThenNext(b, root, await sendPair(b, '/videos/huge', 'huge'));
      expect(b.output).toMatch(/too_large/);
    });

    it('a redirect loop is refused after the bounded number of hops', async () => {
      await expectRefusedThenNext(b, root, await sendPair(b, '/videos/loop', 'loop'));
      expect(b.output).toMatch(/too_many_redirects/);
    });

    it('a document that never finishes is given up after the time limit', async () => {
      await expectRefusedThenNext(b, root, await sendPair(b, '/videos/slow', 'slow'), 40_000);
      expect(b.output).toMatch(/"reason":"timeout"/);
    }, 60_000);
  });

  describe('with prevent_ssrf on', () => {
    let b: TestServer;
    let root: ApiClient;
    beforeAll(async () => {
      b = await TestServer.start({ ...BASE, federation: { prevent_ssrf: true } });
      root = await b.login();
      // The signer is known already (its own fetch would be refused too: it lives on loopback).
      const host = new URL(fake.base).host;
      const [server] = await b.sql<{ id: number }>('INSERT INTO server (host) VALUES ($1) RETURNING id', [host]);
      await b.sql(
        `INSERT INTO actor (type, preferred_username, url, public_key, inbox_url, shared_inbox_url, server_id) VALUES ('Person', 'alice', $1, $2, $3, $4, $5)`,
        [fake.actorUrl, fake.keys.publicKey, `${fake.actorUrl}/inbox`, `${fake.base}/inbox`, server.id],
      );
    }, 120_000);
    afterAll(async () => {
      await b?.stop();
    });

    it('a document on a loopback/private address is refused, and the unknown signer on loopback too', async () => {
      const before = fake.received.length;
      await expectRefusedThenNext(b, root, await sendPair(b, '/videos/anything', 'private'));
      expect(b.output).toMatch(/"reason":"blocked"/);
      // The Accept to a loopback inbox is not sent either (and not retried).
      expect(fake.received.length).toBe(before);

      // An unknown actor on a private address cannot be fetched: its signature cannot be checked.
      const other = new FakeActorServer();
      await other.start();
      try {
        const body = JSON.stringify({ id: `${other.base}/f`, type: 'Follow', actor: other.actorUrl, object: `${b.url}/accounts/peertube` });
        const res = await fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${other.actorUrl}#main-key`, other.keys.privateKey) });
        expect(res.status).toBe(403);
        expect(other.actorFetches).toBe(0);
      } finally {
        await other.stop();
      }
    });
  });

  describe('refusals by a remote inbox', () => {
    let b: TestServer;
    beforeAll(async () => {
      b = await TestServer.start({ ...BASE, federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } } });
    }, 120_000);
    afterAll(async () => {
      await b?.stop();
    });

    const followB = async (id: string) => {
      const body = JSON.stringify({ id, type: 'Follow', actor: fake.actorUrl, object: `${b.url}/accounts/peertube` });
      const res = await fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
      expect(res.status).toBe(204);
    };
    const acceptsOf = (id: string) => fake.received.filter((r) => JSON.parse(r.body).object?.id === id);

    it('a 403 (a PeerTube inbox that could not fetch the signer yet) is tried again, and delivered', async () => {
      fake.postStatuses.push(403, 403);
      await followB(`${fake.base}/follows/after-403`);
      await until('the third try', async () => acceptsOf(`${fake.base}/follows/after-403`).length === 3);
      await new Promise((r) => setTimeout(r, 2000));
      // Delivered on the third try, and not sent again after the 2xx.
      expect(acceptsOf(`${fake.base}/follows/after-403`)).toHaveLength(3);
    });

    it('a refusal repeated past 3 tries, or a 400, is final', async () => {
      fake.postStatuses.push(403, 403, 403, 403, 403);
      await followB(`${fake.base}/follows/always-403`);
      await until('three tries', async () => acceptsOf(`${fake.base}/follows/always-403`).length === 3);
      // A fourth try would still be answered 403 (two are left): there is none.
      await new Promise((r) => setTimeout(r, 3000));
      expect(acceptsOf(`${fake.base}/follows/always-403`)).toHaveLength(3);
      fake.postStatuses.length = 0;
      fake.postStatuses.push(400, 400);
      await followB(`${fake.base}/follows/bad-request`);
      await until('one try', async () => acceptsOf(`${fake.base}/follows/bad-request`).length === 1);
      await new Promise((r) => setTimeout(r, 3000));
      expect(acceptsOf(`${fake.base}/follows/bad-request`)).toHaveLength(1);
      fake.postStatuses.length = 0;
    });
  });
});
