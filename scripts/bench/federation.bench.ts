import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as httpSignature from '@peertube/http-signature';
import { TestServer } from '../../server/test/helpers/test-server';
import { FakeActorServer, digestOf, signPost } from '../../server/test/helpers/fake-actor';
import { legacyUpload, makeClip } from '../../server/test/helpers/videos';
import { percentile, type BenchRow } from './report';

const FED = { federation: { prevent_ssrf: false }, rates_limit: { enabled: false }, transcoding: { enabled: false }, log: { level: 'warn' } };

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function until(fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, timeoutMs > 60_000 ? 200 : 20));
  }
}

/**
 * Federation: inbox throughput (1,000 signed Creates) against bare signature verification of the
 * same bodies, publish-on-B → listed-on-A latency against a bare signed POST round trip, and the
 * fan-out of one activity to 1,000 followers on 20 hosts (POSTs made, time) against a bare loop.
 */
export async function federationBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const fake = new FakeActorServer();
  await fake.start();
  const [a, b] = await Promise.all([TestServer.start(FED), TestServer.start(FED)]);
  try {
    // 1. Inbox: N signed Creates (Notes answering an unknown video: verified, queued, then refused
    // by the comments handler). The figure is the inbox's acceptance rate (verify + queue, answered 204).
    const N = 1000;
    const keyId = `${fake.actorUrl}#main-key`;
    const posts = Array.from({ length: N }, (_, i) => {
      const note = {
        id: `${fake.base}/notes/${i}`,
        type: 'Note',
        attributedTo: fake.actorUrl,
        content: `<p>Note ${i}</p>`,
        inReplyTo: `${b.url}/videos/watch/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        published: new Date().toISOString(),
        to: ['https://www.w3.org/ns/activitystreams#Public'],
      };
      const body = JSON.stringify({ id: `${note.id}/activity`, type: 'Create', actor: fake.actorUrl, object: note, to: note.to });
      return { body, headers: signPost(`${b.url}/inbox`, body, keyId, fake.keys.privateKey) };
    });
    // Warm-up: the actor fetched and cached once.
    await fetch(`${b.url}/inbox`, { method: 'POST', body: posts[0].body, headers: posts[0].headers });
    const t0 = performance.now();
    await pool(posts, 20, async (p) => {
      const res = await fetch(`${b.url}/inbox`, { method: 'POST', body: p.body, headers: p.headers });
      if (res.status !== 204) throw new Error(`inbox answered ${res.status}`);
    });
    const inboxPerSec = N / ((performance.now() - t0) / 1000);
    // ...and processed: the inbox queue drained (each Create checked and refused by the comments
    // handler, its video being unknown). The follow below waits behind them otherwise.
    const rootB0 = await b.login();
    const pendingOnB = async () => {
      let n = 0;
      for (const state of ['waiting', 'active', 'delayed']) {
        n += (await rootB0.request<{ total: number }>('GET', `/api/v1/jobs/${state}`, { query: { jobType: 'process-activity', count: 1 } })).total;
      }
      return n;
    };
    await until(async () => (await pendingOnB()) === 0, 600_000);
    const processedPerSec = N / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    for (const p of posts) {
      const parsed = httpSignature.parseRequest({ headers: { ...p.headers, host: new URL(b.url).host }, method: 'POST', url: '/inbox' }, { clockSkew: 1800 });
      if (!httpSignature.verifySignature(parsed, fake.keys.publicKey) || digestOf(p.body) !== p.headers.digest) throw new Error('bare verification failed');
    }
    const barePerSec = N / ((performance.now() - t1) / 1000);
    rows.push({ name: `inbox: ${N} signed Creates accepted (20 concurrent)`, value: inboxPerSec, unit: 'activities/s', baselineName: 'bare signature + digest verification of the same bodies, one process', baseline: barePerSec, note: 'higher is better' });
    rows.push({ name: `inbox: the same ${N} Creates accepted and processed (queue drained)`, value: processedPerSec, unit: 'activities/s', baselineName: 'bare signature + digest verification of the same bodies, one process', baseline: barePerSec, note: 'higher is better' });

    // 2. Publish on B → listed on A, against a bare signed POST round trip on loopback.
    const rootA = await a.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [new URL(b.url).host] } });
    await until(async () => (await rootA.request<{ data: { state: string }[] }>('GET', '/api/v1/server/following')).data.some((f) => f.state === 'accepted'));
    const rootB = await b.login();
    const channelId = (await rootB.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-bench-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { video } = await legacyUpload(rootB, clip, { name: `Bench ${i}`, channelId: String(channelId), privacy: '1' });
      const published = performance.now();
      await until(async () => (await a.sql('SELECT 1 FROM video WHERE uuid = $1', [video.uuid])).length === 1);
      latencies.push(performance.now() - published);
    }
    const sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/inbox`;
    const bare: number[] = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify({ id: `${fake.base}/a/${i}`, type: 'Announce', actor: fake.actorUrl, object: `${b.url}/videos/watch/x` });
      const t = performance.now();
      await fetch(sinkUrl, { method: 'POST', body, headers: signPost(sinkUrl, body, keyId, fake.keys.privateKey) });
      bare.push(performance.now() - t);
    }
    sink.close();
    latencies.sort((x, y) => x - y);
    bare.sort((x, y) => x - y);
    rows.push({ name: 'publish on B → listed on A, p50', value: percentile(latencies, 50), unit: 'ms', baselineName: 'bare signed POST round trip, p50', baseline: percentile(bare, 50), note: 'lower is better' });
    rows.push({ name: 'publish on B → listed on A, p95', value: percentile(latencies, 95), unit: 'ms', baselineName: 'bare signed POST round trip, p95', baseline: percentile(bare, 95), note: 'lower is better' });

    // 3. Fan-out: one Announce to 1,000 followers on 20 hosts (local sink servers counting POSTs).
    const sinks = await Promise.all(
      Array.from({ length: 20 }, async () => {
        let posts = 0;
        let last = 0;
        const server = createServer((req, res) => {
          req.resume();
          req.on('end', () => {
            posts++;
            last = performance.now();
            res.writeHead(202).end();
          });
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
        return { server, host, count: () => posts, last: () => last };
      }),
    );
    const [instance] = await b.sql<{ id: number; public_key: string }>("SELECT id, public_key FROM actor WHERE preferred_username = 'peertube' AND server_id IS NULL");
    for (const [h, sink] of sinks.entries()) {
      const [server] = await b.sql<{ id: number }>('INSERT INTO server (host) VALUES ($1) RETURNING id', [sink.host]);
      await b.sql(
        `INSERT INTO actor (type, preferred_username, url, public_key, inbox_url, shared_inbox_url, server_id)
         SELECT 'Person', 'user' || g, 'http://${sink.host}/users/' || g, $1, 'http://${sink.host}/users/' || g || '/inbox', 'http://${sink.host}/inbox', $2
           FROM generate_series(1, 50) g`,
        [instance.public_key, server.id],
      );
      await b.sql(
        `INSERT INTO actor_follow (actor_id, target_actor_id, state, url)
         SELECT id, $1::int, 'accepted', url || '/follows/' || $1::text FROM actor WHERE server_id = $2::int`,
        [instance.id, server.id],
      );
      void h;
    }
    const { video } = await legacyUpload(rootB, clip, { name: 'Fan-out', channelId: String(channelId), privacy: '1' });
    const fanStart = performance.now();
    await until(async () => sinks.every((s) => s.count() >= 1), 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // any duplicate would arrive by now
    const fanMs = Math.max(...sinks.map((s) => s.last())) - fanStart;
    const fanPosts = sinks.reduce((n, s) => n + s.count(), 0);
    void video;
    // The same 20 signed POSTs sent by a bare loop.
    const body = JSON.stringify({ id: `${fake.base}/fan`, type: 'Announce', actor: fake.actorUrl, object: `${b.url}/videos/watch/x` });
    const bareStart = performance.now();
    await Promise.all(sinks.map((s) => fetch(`http://${s.host}/inbox`, { method: 'POST', body, headers: signPost(`http://${s.host}/inbox`, body, keyId, fake.keys.privateKey) })));
    const bareMs = performance.now() - bareStart;
    for (const s of sinks) s.server.close();
    rows.push({ name: 'fan-out: POSTs for one activity to 1,000 followers on 20 hosts', value: fanPosts, unit: "POSTs", plain: true, note: 'goal: 20 (one per host)' });
    rows.push({ name: 'fan-out: publish → last of the 20 hosts served', value: fanMs, unit: 'ms', baselineName: 'the same 20 signed POSTs from a bare loop', baseline: bareMs, note: 'lower is better' });
  } finally {
    await Promise.all([a.stop(), b.stop(), fake.stop()]);
  }
  return rows;
}
