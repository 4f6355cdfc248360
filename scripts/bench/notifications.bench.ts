import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { TestServer } from '../../server/test/helpers/test-server';
import { legacyUpload, makeClip } from '../../server/test/helpers/videos';
import type { BenchRow } from './report';

const SUBSCRIBERS = 10_000;
const SOCKETS = 200;
const CONFIG = { rates_limit: { enabled: false }, transcoding: { enabled: false }, log: { level: 'warn' } };

/**
 * Notification fan-out: a channel with 10,000 local subscribers publishes a video. Measured from
 * the upload request until every subscriber's row exists and until each of 200 connected
 * socket.io clients (200 of the subscribers, each with its own access token) got its
 * `new-notification`; beside a bare bulk INSERT of the same 10,000 rows on the same database.
 */
export async function notificationsBench(): Promise<BenchRow[]> {
  const server = await TestServer.start(CONFIG);
  const pg = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: server.dbName });
  const sockets: Socket[] = [];
  try {
    await pg.connect();
    const [{ channelActorId }] = (await pg.query<{ channelActorId: number }>(`SELECT actor_id AS "channelActorId" FROM video_channel c JOIN actor a ON a.id = c.actor_id WHERE a.preferred_username = 'root_channel'`)).rows;
    // 10,000 users, each with an actor and an account that follows root's channel (what
    // POST /users/me/subscriptions makes for a local channel), in one statement.
    await pg.query(
      `WITH u AS (
         INSERT INTO "user" (username, email, password, role, video_quota, video_quota_daily, nsfw_policy)
         SELECT 'bench_u' || g, 'bench_u' || g || '@example.org', 'not-a-hash', 2, -1, -1, 'display' FROM generate_series(1, ${SUBSCRIBERS}) g
         RETURNING id, username),
       a AS (
         INSERT INTO actor (type, preferred_username, url, private_key, inbox_url)
         SELECT 'Person', username, $1 || '/accounts/' || username, 'unused', $1 || '/accounts/' || username || '/inbox' FROM u
         RETURNING id, preferred_username),
       acc AS (
         INSERT INTO account (actor_id, user_id, name) SELECT a.id, u.id, u.username FROM a JOIN u ON u.username = a.preferred_username
         RETURNING actor_id)
       INSERT INTO actor_follow (actor_id, target_actor_id, state, url) SELECT actor_id, $2, 'accepted', $1 || '/bench-follows/' || actor_id FROM acc`,
      [server.url, channelActorId],
    );
    await pg.query(`UPDATE actor SET followers_count = $2 WHERE id = $1`, [channelActorId, SUBSCRIBERS]);
    // Access tokens for the first 200 subscribers (as the token endpoint stores them: SHA-256 of the token).
    const [{ clientId }] = (await pg.query<{ clientId: number }>(`SELECT id AS "clientId" FROM oauth_client LIMIT 1`)).rows;
    const users = (await pg.query<{ id: number }>(`SELECT id FROM "user" WHERE username LIKE 'bench_u%' ORDER BY id LIMIT ${SOCKETS}`)).rows;
    const tokens: string[] = [];
    for (const u of users) {
      const token = randomBytes(20).toString('hex');
      tokens.push(token);
      const sha = (s: string) => createHash('sha256').update(s).digest('hex');
      await pg.query(
        `INSERT INTO oauth_token (access_token_hash, access_token_expires_at, refresh_token_hash, refresh_token_expires_at, oauth_client_id, user_id)
         VALUES ($1, now() + interval '1 day', $2, now() + interval '1 day', $3, $4)`,
        [sha(token), sha(`refresh-${token}`), clientId, u.id],
      );
    }
    const received = new Array<number>(SOCKETS).fill(0);
    await Promise.all(
      tokens.map(
        (accessToken, i) =>
          new Promise<void>((resolve, reject) => {
            const s = connect(`${server.url}/user-notifications`, { transports: ['websocket'], reconnection: false, query: { accessToken }, forceNew: true });
            sockets.push(s);
            s.on('new-notification', (n: { type: number }) => {
              if (n.type === 1 && received[i] === 0) received[i] = performance.now();
            });
            s.on('connect', () => resolve());
            s.on('connect_error', reject);
          }),
      ),
    );

    const root = await server.login();
    const channelId = (await root.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'notif-bench-')), 'clip.mp4', { seconds: 1, size: '160x120' });
    const t0 = performance.now();
    const { video } = await legacyUpload(root, clip, { name: 'Fan-out', channelId: String(channelId), privacy: '1' });
    const uploaded = performance.now();
    let rowsAt = 0;
    let rowsWall = 0;
    for (const end = Date.now() + 300_000; ; ) {
      const [{ n }] = (await pg.query<{ n: string }>(`SELECT count(*) AS n FROM user_notification WHERE video_id = $1 AND type = 1`, [video.id])).rows;
      if (Number(n) >= SUBSCRIBERS) {
        rowsAt = performance.now();
        rowsWall = Date.now();
        break;
      }
      if (Date.now() > end) throw new Error(`only ${n} of ${SUBSCRIBERS} notification rows after 5 minutes`);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const end = Date.now() + 120_000; received.some((t) => t === 0); ) {
      if (Date.now() > end) throw new Error(`${received.filter((t) => t === 0).length} sockets got nothing`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const socketsAt = Math.max(...received);
    // The server's own publication time (same machine, same clock): what the fan-out itself took.
    const [{ publishedAt }] = (await pg.query<{ publishedAt: Date }>(`SELECT published_at AS "publishedAt" FROM video WHERE id = $1`, [video.id])).rows;
    const publishToRows = rowsWall - publishedAt.getTime();
    const [{ insertedAt }] = (await pg.query<{ insertedAt: Date }>(`SELECT min(created_at) AS "insertedAt" FROM user_notification WHERE video_id = $1 AND type = 1`, [video.id])).rows;
    const publishToSockets = publishToRows + (socketsAt - rowsAt);

    // The baseline: the same 10,000 rows (same users, same payload) in one bare INSERT … SELECT unnest.
    const sample = (await pg.query<{ payload: unknown }>(`SELECT payload FROM user_notification WHERE video_id = $1 AND type = 1 LIMIT 1`, [video.id])).rows[0];
    const ids = (await pg.query<{ userId: number }>(`SELECT user_id AS "userId" FROM user_notification WHERE video_id = $1 AND type = 1`, [video.id])).rows.map((r) => r.userId);
    const b0 = performance.now();
    await pg.query(
      `INSERT INTO user_notification (type, user_id, video_id, comment_id, account_id, actor_follow_id, payload)
       SELECT 1, u, $2, NULL, NULL, NULL, $3::jsonb FROM unnest($1::int[]) AS u RETURNING id, user_id, created_at`,
      [ids, video.id, JSON.stringify(sample.payload)],
    );
    const bare = performance.now() - b0;

    return [
      {
        name: `fan-out: upload request until all ${SUBSCRIBERS} subscribers' notification rows exist`,
        value: rowsAt - t0,
        unit: 'ms',
        baselineName: `bare INSERT … SELECT unnest of the same ${SUBSCRIBERS} rows, same database`,
        baseline: bare,
        note: 'lower is better; includes the upload request itself',
      },
      {
        name: `fan-out: upload request until all ${SOCKETS} connected socket.io clients (of the ${SUBSCRIBERS} subscribers) got new-notification`,
        value: socketsAt - t0,
        unit: 'ms',
        baselineName: `bare INSERT … SELECT unnest of the same ${SUBSCRIBERS} rows, same database`,
        baseline: bare,
        note: 'lower is better; each socket one user, all from one bench process',
      },
      {
        name: `fan-out: publication (video.published_at) until all ${SUBSCRIBERS} rows exist`,
        value: publishToRows,
        unit: 'ms',
        baselineName: `bare INSERT … SELECT unnest of the same ${SUBSCRIBERS} rows, same database`,
        baseline: bare,
        note: 'lower is better; event → queue job → recipients query → chunked inserts, each chunk pushed before the next',
      },
      {
        name: `fan-out: publication until all ${SOCKETS} sockets got it`,
        value: publishToSockets,
        unit: 'ms',
        baselineName: `bare INSERT … SELECT unnest of the same ${SUBSCRIBERS} rows, same database`,
        baseline: bare,
        note: `lower is better; ${SUBSCRIBERS} emits to user rooms through the Redis adapter, ${SOCKETS} of them connected`,
      },
      {
        name: 'fan-out: publication until the first INSERT of subscribers\' rows began (event, queue job, video and recipients queries)',
        value: insertedAt.getTime() - publishedAt.getTime(),
        unit: 'ms',
        plain: true,
        note: 'both dates from the database clock',
      },
      { name: 'fan-out: the upload request alone (1 s clip, transcoding off)', value: uploaded - t0, unit: 'ms', plain: true },
    ];
  } finally {
    for (const s of sockets) s.close();
    await pg.end().catch(() => undefined);
    await server.stop();
  }
}
