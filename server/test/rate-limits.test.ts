import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProblemShape, TestServer } from './helpers/test-server';
import { RunnerSide } from './helpers/runners';

/** Rate limits with low values (every other test server raises them out of reach). */
describe('general API limiter, and runners outside it', () => {
  let server: TestServer;
  let runner: RunnerSide;
  const MAX = 6;
  beforeAll(async () => {
    server = await TestServer.start({ transcoding: { enabled: false }, rates_limit: { api: { window: '1 minute', max: MAX } } });
    // One login (its own limiter, also under /api/v1: one API call) and two API calls for the token.
    const admin = await server.login();
    runner = await RunnerSide.register(server, admin, 'limited-runner');
  });
  afterAll(async () => server?.stop());

  it('counts API calls per IP with X-RateLimit headers and answers past the limit with a 429 problem', async () => {
    const first = await fetch(`${server.url}/api/v1/config`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(MAX));
    let remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeLessThan(MAX - 1); // the set-up's calls were counted too
    while (remaining > 0) {
      const res = await fetch(`${server.url}/api/v1/config`);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
      remaining -= 1;
    }
    const refused = await fetch(`${server.url}/api/v1/config`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(60);
    const body = (await refused.json()) as Record<string, unknown>;
    assertProblemShape(refused.headers.get('content-type'), body, 429);
    expect(body.code).toBe('too_many_requests');
  });

  it('never limits runners’ own endpoints (their tokens guard them), even when the IP is over the API limit', async () => {
    expect((await fetch(`${server.url}/api/v1/config`)).status).toBe(429);
    for (let i = 0; i < MAX * 3; i++) {
      const res = await runner.request();
      expect(res.availableJobs).toEqual([]);
    }
  });
});

describe('signup limiter', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({
      transcoding: { enabled: false },
      signup: { enabled: true, requires_email_verification: false, requires_approval: false },
      rates_limit: { api: { max: 1000 }, signup: { window: '1 minute', max: 2 } },
    });
  });
  afterAll(async () => server?.stop());

  const register = (username: string) =>
    fetch(`${server.url}/api/v1/users/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: 'password1', email: `${username}@example.org` }),
    });

  it('allows signup.max accounts per IP and window; refused signups do not count', async () => {
    expect((await register('alice')).status).toBe(204);
    // A taken name is refused: it must not use up the visitor's allowance.
    expect((await register('alice')).status).toBe(409);
    expect((await register('bruno')).status).toBe(204);
    const third = await register('carla');
    expect(third.status).toBe(429);
    assertProblemShape(third.headers.get('content-type'), (await third.json()) as Record<string, unknown>, 429);
    const rows = await server.sql<{ username: string }>(`SELECT username FROM "user" ORDER BY id`);
    expect(rows.map((r) => r.username)).toEqual(['root', 'alice', 'bruno']);
  });
});

describe('ActivityPub and .well-known limiters (PeerTube: activity_pub, well_known)', () => {
  let server: TestServer;
  const MAX = 3;
  const AP = { accept: 'application/activity+json' };
  beforeAll(async () => {
    server = await TestServer.start({
      transcoding: { enabled: false },
      rates_limit: { activity_pub: { window: '1 minute', max: MAX }, well_known: { window: '1 minute', max: 2 } },
    });
  });
  afterAll(async () => server?.stop());

  it('counts ActivityPub fetches and inbox POSTs per IP, not pages; past the limit a 429 problem', async () => {
    const actor = `${server.url}/accounts/root`;
    expect((await fetch(actor, { headers: AP })).status).toBe(200);
    // A malformed, unsigned POST is refused (400), and still counted.
    const post = await fetch(`${server.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: '{}' });
    expect(post.status).toBe(400);
    expect((await fetch(actor, { headers: AP })).status).toBe(200);
    const refused = await fetch(actor, { headers: AP });
    expect(refused.status).toBe(429);
    assertProblemShape(refused.headers.get('content-type'), (await refused.json()) as Record<string, unknown>, 429);
    expect((await fetch(`${server.url}/accounts/root/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: '{}' })).status).toBe(429);
    // The page at the same path and the API are not ActivityPub requests.
    expect((await fetch(actor, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/config`, { headers: AP })).status).toBe(200);
  });

  it('limits /.well-known on its own', async () => {
    const url = `${server.url}/.well-known/webfinger?resource=acct:root@${new URL(server.url).host}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`${server.url}/.well-known/nodeinfo`)).status).toBe(200);
    expect((await fetch(url)).status).toBe(429);
  });
});
