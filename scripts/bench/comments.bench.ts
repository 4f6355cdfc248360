// Comment-thread page latency with 1,000 comments on one video (issue 13), beside /api/v1/config
// on the same server in the same run: autocannon, 20 connections, p50/p99 of each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { User } from '@flotilla/shared';
import { TestServer } from '../../server/test/helpers/test-server';
import { legacyUpload, makeClip } from '../../server/test/helpers/videos';
import type { BenchRow } from './report';

const THREADS = 800;
const REPLIES = 200;
const SECONDS = 10;

async function load(url: string): Promise<{ p50: number; p99: number; rps: number }> {
  const r = await autocannon({ url, connections: 20, duration: SECONDS });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers and ${r.errors} errors from ${url}`);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average };
}

export async function commentsBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-comments-'));
  const server = await TestServer.start({ rates_limit: { enabled: false }, log: { level: 'warn' }, transcoding: { enabled: false } });
  try {
    const root = await server.login();
    const channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(root, clip, { name: 'Many comments', channelId: String(channelId), privacy: '1' });
    // A few through the API (the path a real comment takes), the bulk in SQL.
    for (let i = 0; i < 10; i++) await root.request('POST', `/api/v1/videos/${video.uuid}/comment-threads`, { json: { text: `API comment ${i}` } });
    const base = `${server.url}/videos/watch/${video.uuid}/comments`;
    await server.sql(
      `INSERT INTO video_comment (url, text, video_id, account_id, created_at, updated_at)
       SELECT $1 || '/bulk-' || i, 'Bulk comment number ' || i || ' with **markdown** and #tags', $2, a.id, now() - (i || ' seconds')::interval, now()
       FROM generate_series(1, $3::int) i, (SELECT id FROM account WHERE user_id IS NOT NULL ORDER BY id LIMIT 1) a`,
      [base, video.id, THREADS - 10],
    );
    // Replies spread over the 50 newest threads (the -totalReplies sort has something to order).
    await server.sql(
      `INSERT INTO video_comment (url, text, video_id, account_id, origin_comment_id, in_reply_to_comment_id)
       SELECT $1 || '/reply-' || i, 'Reply ' || i, $2, t.account_id, t.id, t.id
       FROM generate_series(1, $3::int) i
       JOIN LATERAL (SELECT id, account_id FROM video_comment WHERE video_id = $2 AND origin_comment_id IS NULL ORDER BY created_at DESC OFFSET (i % 50) LIMIT 1) t ON true`,
      [base, video.id, REPLIES],
    );
    const [{ n }] = await server.sql<{ n: string }>('SELECT count(*) AS n FROM video_comment WHERE video_id = $1', [video.id]);
    if (Number(n) !== THREADS + REPLIES) throw new Error(`expected ${THREADS + REPLIES} comments, found ${n}`);
    const threads = `${server.url}/api/v1/videos/${video.uuid}/comment-threads?start=0&count=20&sort=-createdAt`;
    const byReplies = `${server.url}/api/v1/videos/${video.uuid}/comment-threads?start=0&count=20&sort=-totalReplies`;
    const config = `${server.url}/api/v1/config`;
    // Warm-up (JIT, connection pool, PostgreSQL's caches), then the measured runs.
    await autocannon({ url: threads, connections: 10, duration: 2 });
    await autocannon({ url: config, connections: 10, duration: 2 });
    const cfg = await load(config);
    const newest = await load(threads);
    const most = await load(byReplies);
    const base2 = { unit: 'ms', baselineName: '/api/v1/config p99, same server', baseline: cfg.p99, note: 'lower is better' };
    return [
      { name: `comment threads page (20 of ${THREADS} threads, ${THREADS + REPLIES} comments), newest first, p99`, value: newest.p99, ...base2 },
      { name: 'comment threads page, most replies first, p99', value: most.p99, ...base2 },
      { name: 'comment threads page, newest first, p50', value: newest.p50, unit: 'ms', baselineName: '/api/v1/config p50, same server', baseline: cfg.p50, note: 'lower is better' },
      { name: 'comment threads page, newest first, throughput', value: newest.rps, unit: 'req/s', baselineName: '/api/v1/config throughput', baseline: cfg.rps, note: 'higher is better' },
    ];
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
