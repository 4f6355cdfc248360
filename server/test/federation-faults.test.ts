import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../client/src/api/http';
import { addCommentThread, listCommentThreads } from '../../client/src/api/comments';
import { FakeActorServer, signPost } from './helpers/fake-actor';
import { TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };

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

type Activity = { id: string; type: string; object: string | { id?: string; type?: string; name?: string } };
type JobList = { total: number; data: { data: { activity: Activity } }[] };
type HostRow = { host: string; pending: number; consecutiveFailures: number; unreachable: boolean; failed: number };

/** B's inbox jobs in one state (bull keeps the last 100 of each, far more than a test makes). */
async function inboxJobs(root: ApiClient, state: 'completed' | 'failed'): Promise<Activity[]> {
  const list = await root.request<JobList>('GET', `/api/v1/jobs/${state}`, { query: { jobType: 'process-activity', count: 100 } });
  return list.data.map((j) => j.data.activity);
}

const objectId = (a: Activity) => (typeof a.object === 'string' ? a.object : a.object.id);

describe('delivery survives faults (outage, concurrent first sight of an actor, ordering)', () => {
  let a: TestServer;
  let b: TestServer;
  let rootA: ApiClient;
  let channelId: number;
  let clip: string;
  let tracked: { uuid: string; url: string };

  beforeAll(async () => {
    [a, b] = await Promise.all([TestServer.start(FED), TestServer.start(FED)]);
    const rootB = await b.login();
    await rootB.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(a)] } });
    await until('B follows A', async () => (await rootB.request<{ data: { state: string }[] }>('GET', '/api/v1/server/following')).data.some((f) => f.state === 'accepted'));
    rootA = await a.login();
    channelId = (await rootA.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-faults-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(rootA, clip, { name: 'Name 0', channelId: String(channelId), privacy: '1' });
    tracked = { uuid: video.uuid, url: `${a.url}/videos/watch/${video.uuid}` };
    await until('B has the tracked video', async () => (await b.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name === 'Name 0');
  }, 180_000);
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(a?.output, b?.output);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('B stopped, 20 activities produced on A (Announces, Creates, successive Updates), B restarted → each processed once on B, the newest name kept', async () => {
    await b.kill();
    // 8 new videos (an Announce by A's instance each), 6 renames of the tracked video (Updates by
    // A's account, unknown to B until now: they arrive together on restart) and 6 comments on it
    // (Creates of Notes by the same account).
    const uuids: string[] = [];
    for (let i = 0; i < 8; i++) uuids.push((await legacyUpload(rootA, clip, { name: `Outage ${i}`, channelId: String(channelId), privacy: '1' })).video.uuid);
    for (let i = 1; i <= 6; i++) {
      await rootA.request('PUT', `/api/v1/videos/${tracked.uuid}`, { json: { name: `Name ${i}` } });
      await addCommentThread(rootA, tracked.uuid, `Comment ${i} during the outage`);
    }
    const hostB = async () => (await rootA.request<{ data: HostRow[] }>('GET', '/api/v1/server/federation/hosts')).data.find((h) => h.host === hostOf(b));
    const down = await until('A holds the 20 activities for B', async () => {
      const h = await hostB();
      return h && h.consecutiveFailures >= 1 && h.pending >= 20 ? h : null;
    });
    // A short outage never marks a host unreachable.
    expect(down.unreachable).toBe(false);

    await b.restart();
    const rootB = await b.login();
    const announced = uuids.map((u) => `${a.url}/videos/watch/${u}`);
    await until(
      'B has the 8 videos, the 6 comments and the newest name',
      async () => {
        const [{ n }] = await b.sql<{ n: string }>('SELECT count(*) AS n FROM video WHERE url = ANY($1)', [announced]);
        const threads = await listCommentThreads(b.api, tracked.uuid, { count: 100 });
        const { name } = await b.api.request<{ name: string }>('GET', `/api/v1/videos/${tracked.uuid}`);
        return Number(n) === 8 && threads.total === 6 && name === 'Name 6';
      },
      90_000,
    );
    // A has nothing left for B: every POST was answered 2xx (none refused, none dropped).
    await until('A sees B back with nothing pending', async () => {
      const h = await hostB();
      return h && h.pending === 0 && h.consecutiveFailures === 0 ? h : null;
    });

    const done = await inboxJobs(rootB, 'completed');
    // Each activity was processed exactly once: no retry by A after a 2xx, no duplicate job on B.
    const announces = done.filter((x) => x.type === 'Announce' && announced.includes(objectId(x)!));
    expect(announces.map(objectId).sort()).toEqual([...announced].sort());
    const updates = done.filter((x) => x.type === 'Update' && objectId(x) === tracked.url);
    expect(updates).toHaveLength(6);
    expect(new Set(updates.map((u) => u.id)).size).toBe(6);
    const notes = done.filter((x) => x.type === 'Create' && typeof x.object === 'object' && x.object.type === 'Note');
    expect(notes).toHaveLength(6);
    expect(new Set(notes.map((n) => n.id)).size).toBe(6);
    expect(await inboxJobs(rootB, 'failed')).toEqual([]);
    // The stored rows: each video once, each comment once, the newest name.
    const rows = await b.sql<{ url: string; n: string }>('SELECT url, count(*) AS n FROM video WHERE url = ANY($1) GROUP BY url', [[...announced, tracked.url]]);
    expect(rows.map((r) => Number(r.n))).toEqual(Array(9).fill(1));
    const texts = (await listCommentThreads(b.api, tracked.uuid, { count: 100 })).data.map((c) => c.text).sort();
    expect(texts).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Comment ${i} during the outage`));
    expect((await b.api.request<{ name: string }>('GET', `/api/v1/videos/${tracked.uuid}`)).name).toBe('Name 6');
  }, 240_000);

  it('many activities of one unknown actor at once: every POST accepted, the actor fetched and stored once', async () => {
    const fake = new FakeActorServer();
    fake.actorDelayMs = 300;
    await fake.start();
    try {
      const rootB = await b.login();
      const ids = Array.from({ length: 12 }, (_, i) => `${fake.base}/likes/burst-${i}`);
      const statuses = await Promise.all(
        ids.map((id, i) => {
          const body = JSON.stringify({ id, type: 'Like', actor: fake.actorUrl, object: `${b.url}/videos/watch/00000000-0000-4000-8000-${String(i).padStart(12, '0')}` });
          return fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) }).then((r) => r.status);
        }),
      );
      expect(statuses).toEqual(Array(12).fill(204));
      expect(fake.actorFetches).toBe(1);
      expect(await b.sql('SELECT id FROM actor WHERE url = $1', [fake.actorUrl])).toHaveLength(1);
      await until('the 12 Likes processed', async () => (await inboxJobs(rootB, 'completed')).filter((j) => ids.includes(j.id)).length === 12);
    } finally {
      await fake.stop();
    }
  }, 60_000);

  it('an Update older than the stored one does not overwrite it; a newer one does', async () => {
    const rootB = await b.login();
    const [account] = await a.sql<{ url: string; private_key: string }>("SELECT url, private_key FROM actor WHERE preferred_username = 'root' AND type = 'Person' AND server_id IS NULL");
    const current = await (await fetch(tracked.url, { headers: { Accept: 'application/activity+json' } })).json();
    const send = async (name: string, updated: string) => {
      const activity = {
        '@context': current['@context'],
        id: `${tracked.url}/updates/replayed-${updated}`,
        type: 'Update',
        actor: account.url,
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        object: { ...current, '@context': undefined, name, updated },
      };
      const body = JSON.stringify(activity);
      const res = await fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${account.url}#main-key`, account.private_key) });
      expect(res.status).toBe(204);
      await until(`the Update ${activity.id} processed`, async () => (await inboxJobs(rootB, 'completed')).some((j) => j.id === activity.id));
    };
    const stored = new Date(current.updated).getTime();
    await send('Stale name', new Date(stored - 60_000).toISOString());
    expect((await b.api.request<{ name: string }>('GET', `/api/v1/videos/${tracked.uuid}`)).name).toBe('Name 6');
    await send('Newer name', new Date(stored + 60_000).toISOString());
    expect((await b.api.request<{ name: string }>('GET', `/api/v1/videos/${tracked.uuid}`)).name).toBe('Newer name');
  }, 60_000);
  it('a host that never answers has at most 4 POSTs open and delays nobody else: B and another follower get 40 Updates at once', async () => {
    const hanging = new FakeActorServer();
    hanging.hangPosts = true;
    const good = new FakeActorServer();
    await Promise.all([hanging.start(), good.start()]);
    try {
      const me = await rootA.request<{ videoChannels: { name: string }[] }>('GET', '/api/v1/users/me');
      const channelUrl = `${a.url}/video-channels/${me.videoChannels[0].name}`;
      const { video } = await legacyUpload(rootA, clip, { name: 'Busy 0', channelId: String(channelId), privacy: '1' });
      await until('B has the video', async () => (await b.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name === 'Busy 0');
      for (const f of [good, hanging]) {
        const body = JSON.stringify({ id: `${f.base}/follow`, type: 'Follow', actor: f.actorUrl, object: channelUrl });
        expect((await fetch(`${a.url}/inbox`, { method: 'POST', body, headers: signPost(`${a.url}/inbox`, body, `${f.actorUrl}#main-key`, f.keys.privateKey) })).status).toBe(204);
        await until('the Accept sent', async () => f.received.some((r) => JSON.parse(r.body).type === 'Accept'));
      }
      // 40 Updates for each of B, the good follower and the hanging one (more than the 32 delivery workers).
      for (let i = 1; i <= 40; i++) await rootA.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { name: `Busy ${i}` } });
      const lastName = (r: { body: string }) => {
        const act = JSON.parse(r.body) as { type: string; object?: { name?: string } };
        return act.type === 'Update' && act.object?.name === 'Busy 40';
      };
      // Without the per-host gate giving its slot back, the hanging host's POSTs hold every worker for their 10 s timeout.
      await until('the good follower has the last Update', async () => good.received.some(lastName), 8_000);
      await until('B shows the last name', async () => (await b.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name === 'Busy 40', 8_000);
      expect(hanging.maxOpenPosts).toBeGreaterThanOrEqual(1);
      expect(hanging.maxOpenPosts).toBeLessThanOrEqual(4);
    } finally {
      await Promise.all([hanging.stop(), good.stop()]);
    }
  }, 60_000);
  it('a host failing for more than a day and 30 deliveries is marked unreachable, and unmarked by its first answer', async () => {
    const follower = new FakeActorServer();
    await follower.start();
    try {
      const me = await rootA.request<{ videoChannels: { name: string }[] }>('GET', '/api/v1/users/me');
      const body = JSON.stringify({ id: `${follower.base}/follow`, type: 'Follow', actor: follower.actorUrl, object: `${a.url}/video-channels/${me.videoChannels[0].name}` });
      expect((await fetch(`${a.url}/inbox`, { method: 'POST', body, headers: signPost(`${a.url}/inbox`, body, `${follower.actorUrl}#main-key`, follower.keys.privateKey) })).status).toBe(204);
      await until('the Accept', async () => follower.received.some((r) => JSON.parse(r.body).type === 'Accept'));
      const host = new URL(follower.base).host;
      const row = async () => (await rootA.request<{ data: HostRow[] }>('GET', '/api/v1/server/federation/hosts')).data.find((h) => h.host === host);
      const port = follower.port;
      await follower.stop();
      // A day of failures in a row, one short of the count (the clock is not waited for).
      await a.sql("UPDATE federation_host SET consecutive_failures = 28, failing_since = now() - interval '25 hours' WHERE host = $1", [host]);
      await rootA.request('PUT', `/api/v1/videos/${tracked.uuid}`, { json: { name: 'While the follower is down' } });
      await until('two more failures, then unreachable', async () => {
        const h = await row();
        return h && h.consecutiveFailures >= 30 && h.unreachable;
        // Two retries 0.2–1 s apart; the margin is for a loaded machine (20 s ran out once with ten federation files at once).
      }, 40_000);
      await follower.start(port);
      await until('unmarked once it answers', async () => {
        const h = await row();
        return h && !h.unreachable && h.consecutiveFailures === 0;
      }, 40_000);
      expect(follower.received.some((r) => JSON.parse(r.body).object?.name === 'While the follower is down')).toBe(true);
    } finally {
      await follower.stop();
    }
  }, 120_000);
});
