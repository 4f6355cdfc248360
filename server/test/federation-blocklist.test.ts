import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/src/api/http';
import { FakeActorServer, signPost } from './helpers/fake-actor';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };
const CONFIG_HOST = 'blocked-by-config.example';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
const hostOf = (s: TestServer) => new URL(s.url).host;
type Blocks = { total: number; data: { blockedServer: { host: string }; byAccount: { name: string; host: string }; createdAt: string; fromConfig: boolean }[] };
const PATH = '/api/v1/server/blocklist/servers';

describe('server block list (admin API, config, inbox, follows, lists)', () => {
  let a: TestServer;
  let b: TestServer;
  let fake: FakeActorServer;
  let rootA: ApiClient;

  beforeAll(async () => {
    fake = new FakeActorServer();
    await fake.start();
    [a, b] = await Promise.all([TestServer.start({ ...FED, federation: { ...FED.federation, blocked_hosts: [CONFIG_HOST.toUpperCase()] } }), TestServer.start(FED)]);
    rootA = await a.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(b)] } });
    await until('A follows B', async () => (await rootA.request<{ data: { state: string }[] }>('GET', '/api/v1/server/following')).data.some((f) => f.state === 'accepted'));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), fake?.stop()]);
  });

  it('admin API: list, add, remove; rights and bad input answered 400/401/403/404/409', async () => {
    // The configured host is listed (lower-cased), marked as such, and cannot be removed here.
    const initial = await rootA.request<Blocks>('GET', PATH);
    expect(initial.data.map((d) => [d.blockedServer.host, d.fromConfig])).toEqual([[CONFIG_HOST, true]]);
    expect(initial.data[0].byAccount).toMatchObject({ name: 'peertube', host: hostOf(a) });
    await expectProblem(rootA.request('DELETE', `${PATH}/${CONFIG_HOST}`), 409, 'server_block_from_config');

    await expectProblem(a.api.request('GET', PATH), 401);
    await expectProblem(a.api.request('POST', PATH, { json: { host: 'spam.example' } }), 401);
    await expectProblem(a.api.request('DELETE', `${PATH}/spam.example`), 401);
    await rootA.request('POST', '/api/v1/users', { json: { username: 'plain', password: 'password1', email: 'plain@example.org', role: 2 } });
    const plain = await a.login('plain', 'password1');
    await expectProblem(plain.request('GET', PATH), 403);
    await expectProblem(plain.request('POST', PATH, { json: { host: 'spam.example' } }), 403);
    await expectProblem(plain.request('DELETE', `${PATH}/${CONFIG_HOST}`), 403);

    await expectProblem(rootA.request('POST', PATH, { json: {} }), 400);
    await expectProblem(rootA.request('POST', PATH, { json: { host: 'not a host!' } }), 400);
    await expectProblem(rootA.request('DELETE', `${PATH}/not%20a%20host`), 400);
    await expectProblem(rootA.request('POST', PATH, { json: { host: hostOf(a) } }), 409, 'server_block_self');
    await expectProblem(rootA.request('DELETE', `${PATH}/never-blocked.example`), 404, 'server_block_not_found');

    await rootA.request('POST', PATH, { json: { host: 'Spam.Example' } });
    await rootA.request('POST', PATH, { json: { host: 'spam.example' } }); // again: no error (as PeerTube)
    const listed = await rootA.request<Blocks>('GET', PATH, { query: { sort: 'host' } });
    expect(listed.data.map((d) => [d.blockedServer.host, d.fromConfig])).toEqual([[CONFIG_HOST, true], ['spam.example', false]]);
    expect((await rootA.request<Blocks>('GET', PATH, { query: { search: 'spam' } })).data.map((d) => d.blockedServer.host)).toEqual(['spam.example']);
    await rootA.request('DELETE', `${PATH}/spam.example`);
    await expectProblem(rootA.request('DELETE', `${PATH}/spam.example`), 404);
    expect((await rootA.request<Blocks>('GET', PATH)).total).toBe(1);
    // Nothing half-written: no blocked row beyond the configured one.
    expect(await a.sql('SELECT host FROM server WHERE blocked')).toEqual([{ host: CONFIG_HOST }]);
  });

  it('a blocked host: its videos leave the lists, its activities are answered 204 and dropped, its follows rejected; unblocked it is back', async () => {
    const rootB = await b.login();
    const channelId = (await rootB.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-block-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const first = (await legacyUpload(rootB, clip, { name: 'Before the block', channelId: String(channelId), privacy: '1' })).video.uuid;
    const listedOnA = async () => (await a.api.request<{ data: { uuid: string }[] }>('GET', '/api/v1/videos', { query: { count: 100 } })).data.map((v) => v.uuid);
    await until('A lists B\'s video', async () => (await listedOnA()).includes(first));

    await rootA.request('POST', PATH, { json: { host: hostOf(b) } });
    expect(await listedOnA()).not.toContain(first);
    expect((await a.api.request<{ data: unknown[] }>('GET', '/api/v1/videos', { query: { host: hostOf(b) } })).data).toEqual([]);

    // B's next video reaches A's inbox (answered 2xx: B sees no failure) and is dropped.
    type HostRow = { host: string; pending: number; delivered: number; consecutiveFailures: number };
    const toA = async () => (await rootB.request<{ data: HostRow[] }>('GET', '/api/v1/server/federation/hosts')).data.find((h) => h.host === hostOf(a))!;
    const deliveredBefore = (await toA()).delivered;
    const second = (await legacyUpload(rootB, clip, { name: 'After the block', channelId: String(channelId), privacy: '1' })).video.uuid;
    await until('B delivered to A', async () => {
      const h = await toA();
      return h.delivered > deliveredBefore && h.pending === 0 && h.consecutiveFailures === 0;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await a.sql('SELECT 1 FROM video WHERE uuid = $1', [second])).toHaveLength(0);

    // A Follow from a blocked host gets a Reject and no follow row.
    await rootA.request('POST', PATH, { json: { host: new URL(fake.base).host } });
    const follow = JSON.stringify({ id: `${fake.base}/follows/blocked`, type: 'Follow', actor: fake.actorUrl, object: `${a.url}/accounts/peertube` });
    const res = await fetch(`${a.url}/inbox`, { method: 'POST', body: follow, headers: signPost(`${a.url}/inbox`, follow, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    expect(res.status).toBe(204);
    const reject = await until('the Reject', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Reject'));
    expect(JSON.parse(reject.body).object).toMatchObject({ id: `${fake.base}/follows/blocked`, type: 'Follow' });
    expect(await a.sql("SELECT f.id FROM actor_follow f JOIN actor x ON x.id = f.actor_id WHERE x.url = $1 AND f.state = 'accepted'", [fake.actorUrl])).toHaveLength(0);

    // Unblocked: B's stored video is listed again, and B's new activities are processed.
    await rootA.request('DELETE', `${PATH}/${hostOf(b)}`);
    expect(await listedOnA()).toContain(first);
    const third = (await legacyUpload(rootB, clip, { name: 'After the unblock', channelId: String(channelId), privacy: '1' })).video.uuid;
    await until('A lists B\'s new video', async () => (await listedOnA()).includes(third));
  }, 120_000);
});
