import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestServer } from './helpers/test-server';
import { FakeActorServer, signPost } from './helpers/fake-actor';

// Instance followers under an administrator's control (PeerTube's followers.instance.* keys and
// POST /server/followers/:nameWithHost/accept|reject, DELETE /server/followers/:nameWithHost).
const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hostOf = (s: TestServer) => new URL(s.url).host;
type Follow = { state: string; follower: { host: string; name: string }; following: { host: string; name: string } };

describe('instance followers: manual approval, reject, remove, followers off', () => {
  let a: TestServer; // follows the others
  let b: TestServer; // followers.instance.manual_approval: true
  let c: TestServer; // followers.instance.enabled: false
  let fake: FakeActorServer;
  beforeAll(async () => {
    fake = new FakeActorServer();
    await fake.start();
    [a, b, c] = await Promise.all([
      TestServer.start(FED),
      TestServer.start({ ...FED, followers: { instance: { enabled: true, manual_approval: true } } }),
      TestServer.start({ ...FED, followers: { instance: { enabled: false, manual_approval: false } } }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), fake?.stop()]);
  });

  const following = async (api: Awaited<ReturnType<TestServer['login']>>) => (await api.request<{ total: number; data: Follow[] }>('GET', '/api/v1/server/following')).data;
  const followers = async (s: TestServer) => (await s.api.request<{ total: number; data: Follow[] }>('GET', '/api/v1/server/followers')).data;

  it('a follow waits for the administrator; accept sends the Accept and the follower sees it accepted', async () => {
    const rootA = await a.login();
    const rootB = await b.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(b)] } });
    const pending = await until('B lists A as a pending follower', async () => (await followers(b)).find((f) => f.follower.host === hostOf(a)));
    expect(pending.state).toBe('pending');
    // Still pending on A a moment later: nothing accepted it.
    await new Promise((r) => setTimeout(r, 500));
    expect((await following(rootA)).find((f) => f.following.host === hostOf(b))?.state).toBe('pending');

    // Bad cases: not an administrator, unknown follower, malformed handle.
    await rootB.request('POST', '/api/v1/users', { json: { username: 'plain', password: 'password1', email: 'plain@example.org', role: 2 } });
    const user = await b.login('plain', 'password1');
    await expectProblem(user.request('POST', `/api/v1/server/followers/peertube@${hostOf(a)}/accept`), 403);
    await expectProblem(b.api.request('POST', `/api/v1/server/followers/peertube@${hostOf(a)}/accept`), 401);
    await expectProblem(rootB.request('POST', '/api/v1/server/followers/nobody@unknown.example/accept'), 404);
    await expectProblem(rootB.request('POST', '/api/v1/server/followers/not a handle/accept'), 400);

    await rootB.request('POST', `/api/v1/server/followers/peertube@${hostOf(a)}/accept`);
    expect((await followers(b)).find((f) => f.follower.host === hostOf(a))?.state).toBe('accepted');
    await until('A sees the follow accepted', async () => (await following(rootA)).find((f) => f.following.host === hostOf(b) && f.state === 'accepted'));
    // Reject is for pending followers only.
    await expectProblem(rootB.request('POST', `/api/v1/server/followers/peertube@${hostOf(a)}/reject`), 404);
  });

  it('reject of a pending follower sends a Reject and forgets the follow', async () => {
    const rootB = await b.login();
    const followId = `${fake.base}/follows/instance-b`;
    const body = JSON.stringify({ id: followId, type: 'Follow', actor: fake.actorUrl, object: `${b.url}/accounts/peertube` });
    expect((await fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) })).status).toBe(204);
    const handle = `alice@${new URL(fake.base).host}`;
    await until('B lists the pending follower', async () => (await followers(b)).find((f) => f.follower.name === 'alice' && f.state === 'pending'));
    expect(fake.received.some((r) => JSON.parse(r.body).type === 'Accept')).toBe(false);
    await rootB.request('POST', `/api/v1/server/followers/${handle}/reject`);
    const reject = await until('the Reject at the follower', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Reject'));
    expect(JSON.parse(reject.body)).toMatchObject({ actor: `${b.url}/accounts/peertube`, object: { id: followId, type: 'Follow' } });
    expect((await followers(b)).some((f) => f.follower.name === 'alice')).toBe(false);
  });

  it('removing an accepted follower tells it (Reject): A no longer follows B', async () => {
    const rootA = await a.login();
    const rootB = await b.login();
    await rootB.request('DELETE', `/api/v1/server/followers/peertube@${hostOf(a)}`);
    expect((await followers(b)).some((f) => f.follower.host === hostOf(a))).toBe(false);
    await until('A forgets the follow', async () => !(await following(rootA)).some((f) => f.following.host === hostOf(b)));
    await expectProblem(rootB.request('DELETE', `/api/v1/server/followers/peertube@${hostOf(a)}`), 404);
  });

  it('an instance with followers off answers every instance Follow with a Reject', async () => {
    const rootA = await a.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(c)] } });
    // A's follow is rejected: it disappears from A's list, C keeps no follower.
    await until('A sees the follow rejected', async () => {
      await new Promise((r) => setTimeout(r, 200));
      return !(await following(rootA)).some((f) => f.following.host === hostOf(c));
    });
    expect(await followers(c)).toEqual([]);
  });
});
