import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type FindOptions, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { VideoState } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';
import { AccountVideoRateModel, type AccountVideoRateType } from './account-video-rate.model';
import { channelInclude, detailIncludes } from './video-includes';
import { VideoModel } from './video.model';

export interface VideoNotificationSubject {
  id: number;
  uuid: string;
  name: string;
  privacy: number;
  state: number;
  remote: boolean;
  isLive: boolean;
  channelActorId: number;
  ownerAccountId: number;
  ownerUserId: number | null;
}

/**
 * Queries on `video` and the tables only the videos module writes beside it (`account_video_rate`,
 * `video_views_daily`). File rows and their paths belong to the media files' own queries.
 */
@Injectable()
export class VideoRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  /** With channel, account, thumbnails, web video files and streaming playlists (with their files). */
  findDetailed(where: WhereOptions, transaction?: Transaction): Promise<VideoModel | null> {
    return VideoModel.findOne({ where, include: detailIncludes(), transaction });
  }

  /**
   * PeerTube's overview samples: categories, channels and tags that at least `threshold` public,
   * watchable, not hidden, not NSFW videos share, at most `count` of each in random order.
   */
  async overviewSamples(threshold: number, count: number): Promise<{ categories: number[]; channelIds: number[]; tags: string[] }> {
    const visible = `privacy = 1 AND nsfw = false AND is_live = false AND (state = 1 OR (state = 2 AND wait_transcoding = false))
      AND id NOT IN (SELECT video_id FROM video_blacklist)`;
    const sample = async <T>(select: string, from: string, extra = '') =>
      (await this.sequelize.query<{ v: T }>(
        `SELECT ${select} AS v FROM ${from} WHERE ${visible} ${extra} GROUP BY v HAVING count(*) >= :threshold ORDER BY random() LIMIT :count`,
        { replacements: { threshold, count }, type: QueryTypes.SELECT },
      )).map((r) => r.v);
    const [categories, channelIds, tags] = await Promise.all([
      sample<number>('category', 'video', 'AND category IS NOT NULL'),
      sample<number>('channel_id', 'video'),
      sample<string>('t', 'video, unnest(tags) t'),
    ]);
    return { categories, channelIds, tags };
  }

  /** Hidden by a moderator (a `video_blacklist` row, owned by the video-blacklist module): its reason, or undefined. */
  async blacklistReason(id: number): Promise<string | null | undefined> {
    const rows = await this.sequelize.query<{ reason: string | null }>('SELECT reason FROM video_blacklist WHERE video_id = :id', { replacements: { id }, type: QueryTypes.SELECT });
    return rows.length ? rows[0].reason : undefined;
  }

  /** With its channel, account and their actors only (no files, thumbnails or images): pages about a video, such as its comments. */
  findWithOwners(where: WhereOptions): Promise<VideoModel | null> {
    return VideoModel.findOne({ where, include: [channelInclude({ withImages: false })] });
  }

  /** What a notification says of a video and whom it concerns: its channel's actor, its owner account and user. */
  async notificationSubject(videoId: number): Promise<VideoNotificationSubject | null> {
    const [v] = await this.sequelize.query<VideoNotificationSubject>(
      `SELECT v.id, v.uuid, v.name, v.privacy, v.state, v.remote, v.is_live AS "isLive", c.actor_id AS "channelActorId", c.account_id AS "ownerAccountId", a.user_id AS "ownerUserId"
       FROM video v JOIN video_channel c ON c.id = v.channel_id JOIN account a ON a.id = c.account_id WHERE v.id = $1`,
      { bind: [videoId], type: QueryTypes.SELECT },
    );
    return v ?? null;
  }

  /** Which of these uuids are videos here (the orphan-file sweep's question). */
  async existingUuids(uuids: string[]): Promise<Set<string>> {
    const rows = await VideoModel.findAll({ where: { uuid: uuids }, attributes: ['uuid'], raw: true });
    return new Set(rows.map((r) => r.uuid));
  }

  /**
   * Ids, uuids, privacy and hidden state (a `video_blacklist` row) of videos — the P2P tracker's view —
   * optionally of some uuids only.
   */
  privacies(uuids?: string[]): Promise<Array<{ id: number; uuid: string; privacy: number; hidden: boolean }>> {
    return this.sequelize.query<{ id: number; uuid: string; privacy: number; hidden: boolean }>(
      `SELECT v.id, v.uuid, v.privacy, EXISTS (SELECT 1 FROM video_blacklist b WHERE b.video_id = v.id) AS hidden
       FROM video v ${uuids ? 'WHERE v.uuid = ANY($1::uuid[])' : ''}`,
      { bind: uuids ? [uuids] : [], type: QueryTypes.SELECT },
    );
  }

  findById(id: number): Promise<VideoModel | null> {
    return VideoModel.findByPk(id);
  }

  /** A list page as plain nested rows (the formatter only reads properties). */
  async findPage(o: Pick<FindOptions, 'where' | 'include' | 'order' | 'offset' | 'limit'>): Promise<VideoModel[]> {
    // Included rows are 1:1 (channel, account, actors): no sub-query needed, and ORDER BY
    // expressions on video columns (rank, trending) stay valid.
    const rows = (await VideoModel.findAll({ ...o, subQuery: false, raw: true })) as unknown as Array<Record<string, unknown>>;
    return nestRows(rows) as unknown as VideoModel[];
  }

  count(where: WhereOptions): Promise<number> {
    return VideoModel.count({ where });
  }

  /** A remote video's row (federation): created by URL, or updated in place. */
  async upsertRemote(row: RemoteVideoRow): Promise<{ id: number; created: boolean }> {
    const existing = await VideoModel.findOne({ where: { url: row.url }, attributes: ['id', 'remote'] });
    if (existing) {
      if (!existing.remote) throw new Error('a local video cannot be overwritten by a remote one');
      await VideoModel.update({ ...row, remote: true }, { where: { id: existing.id } });
      return { id: existing.id, created: false };
    }
    const created = await VideoModel.create({ ...row, remote: true });
    return { id: created.id, created: true };
  }

  findByUrl(url: string): Promise<VideoModel | null> {
    return VideoModel.findOne({ where: { url } });
  }

  /** State → PUBLISHED from TO_TRANSCODE / TRANSCODING_FAILED; the row when this call moved it. */
  async publish(id: number): Promise<VideoModel | null> {
    const [, affected] = await VideoModel.update(
      { state: VideoState.PUBLISHED, publishedAt: new Date() },
      { where: { id, state: [VideoState.TO_TRANSCODE, VideoState.TRANSCODING_FAILED] }, returning: true },
    );
    return affected[0] ?? null;
  }

  async markTranscodingFailed(id: number, message: string): Promise<void> {
    await VideoModel.update(
      { state: VideoState.TRANSCODING_FAILED, transcodingError: message.slice(0, 2000) },
      { where: { id, state: VideoState.TO_TRANSCODE } },
    );
  }

  /** Bytes stored for a user's videos (all files), and those of videos created in the last 24 hours. */
  /** A user's quotas (bytes, -1 = none), null for no such user. */
  async quotasOfUser(userId: number): Promise<{ total: number; daily: number } | null> {
    const [row] = await this.sequelize.query<{ total: string; daily: string }>(
      `SELECT video_quota AS total, video_quota_daily AS daily FROM "user" WHERE id = :userId`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    );
    return row ? { total: Number(row.total), daily: Number(row.daily) } : null;
  }

  async bytesOfUser(userId: number): Promise<{ total: number; daily: number }> {
    const [row] = await this.sequelize.query<{ total: string; daily: string }>(
      `SELECT coalesce(sum(f.size), 0) AS total,
              coalesce(sum(f.size) FILTER (WHERE v.created_at > now() - interval '1 day'), 0) AS daily
         FROM video_file f
         LEFT JOIN video_streaming_playlist p ON p.id = f.video_streaming_playlist_id
         JOIN video v ON v.id = coalesce(f.video_id, p.video_id)
         JOIN video_channel c ON c.id = v.channel_id
         JOIN account a ON a.id = c.account_id
        WHERE a.user_id = :userId`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    );
    return { total: Number(row?.total ?? 0), daily: Number(row?.daily ?? 0) };
  }

  // --- rates ---------------------------------------------------------------------------------

  /**
   * Sets an account's rating of a video and moves the video's counters by the difference, in one
   * transaction with the video row locked: concurrent rates of one video serialize, counters stay exact.
   */
  async setRating(videoId: number, accountId: number, rating: AccountVideoRateType | 'none', url: string | null = null): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      await VideoModel.findByPk(videoId, { transaction, lock: transaction.LOCK.UPDATE, attributes: ['id'] });
      const existing = await AccountVideoRateModel.findOne({ where: { videoId, accountId }, transaction });
      const before = existing?.type ?? 'none';
      if (before === rating) return;
      if (existing && rating === 'none') await existing.destroy({ transaction });
      else if (existing) await existing.update({ type: rating, url }, { transaction });
      else await AccountVideoRateModel.create({ videoId, accountId, type: rating, url }, { transaction });
      const delta = (r: string, kind: AccountVideoRateType) => (r === kind ? 1 : 0);
      await this.sequelize.query('UPDATE video SET likes = likes + :l, dislikes = dislikes + :d WHERE id = :id', {
        replacements: { id: videoId, l: delta(rating, 'like') - delta(before, 'like'), d: delta(rating, 'dislike') - delta(before, 'dislike') },
        transaction,
      });
    });
  }

  /** One page of a video's likes or dislikes, newest first: the rating accounts and the activity URLs stored (remote raters'). */
  async raters(videoId: number, type: AccountVideoRateType, start: number, count: number): Promise<{ total: number; rows: Array<{ accountId: number; url: string | null }> }> {
    const { count: total, rows } = await AccountVideoRateModel.findAndCountAll({
      where: { videoId, type },
      attributes: ['accountId', 'url'],
      order: [['id', 'DESC']],
      offset: start,
      limit: count,
    });
    return { total, rows: rows.map((r) => ({ accountId: r.accountId, url: r.url })) };
  }

  /** A remote video's counters as its origin counts them (the totals of its likes/dislikes collections). */
  async setRemoteRateCounts(videoId: number, counts: { likes?: number; dislikes?: number }): Promise<void> {
    await VideoModel.update(counts, { where: { id: videoId, remote: true } });
  }

  async ratingOf(videoId: number, accountId: number): Promise<AccountVideoRateType | 'none'> {
    const row = await AccountVideoRateModel.findOne({ where: { videoId, accountId }, attributes: ['type'] });
    return row?.type ?? 'none';
  }

  // --- views ---------------------------------------------------------------------------------

  /** Adds counted views to each video and to its day's row (videos deleted meanwhile are skipped). */
  async addViews(entries: ReadonlyArray<readonly [videoId: number, views: number]>): Promise<void> {
    if (!entries.length) return;
    // Integers only (parsed from Redis and filtered by the caller): safe to inline as VALUES.
    const values = entries.map(([id, n]) => `(${Math.trunc(id)}, ${Math.trunc(n)})`).join(', ');
    await this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query(`UPDATE video v SET views = v.views + c.n FROM (VALUES ${values}) AS c(id, n) WHERE v.id = c.id`, { transaction });
      await this.sequelize.query(
        `INSERT INTO video_views_daily (video_id, day, views)
           SELECT c.id, current_date, c.n FROM (VALUES ${values}) AS c(id, n) WHERE EXISTS (SELECT 1 FROM video WHERE id = c.id)
         ON CONFLICT (video_id, day) DO UPDATE SET views = video_views_daily.views + EXCLUDED.views`,
        { transaction },
      );
    });
  }
}

/** The columns of a remote video (PeerTube's Video object, validated by federation). */
export interface RemoteVideoRow {
  uuid: string;
  url: string;
  name: string;
  description: string | null;
  support: string | null;
  duration: number;
  aspectRatio: number | null;
  state: number;
  privacy: number;
  category: number | null;
  licence: number | null;
  language: string | null;
  tags: string[];
  nsfw: boolean;
  commentsPolicy: number;
  downloadEnabled: boolean;
  waitTranscoding: boolean;
  publishedAt: Date;
  originallyPublishedAt: Date | null;
  views: number;
  isLive: boolean;
  channelId: number;
}

/**
 * Flat `a.b.c` keys of plain joined rows into nested objects, as sequelize's `nest` does. Sequelize
 * runs dottie's generic transform on every row (about a tenth of a list request's CPU); every row
 * of one result has the same keys, so each key is split once here.
 */
function nestRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  if (!rows.length) return [];
  const paths = Object.keys(rows[0]).map((key) => ({ key, parts: key.split('.') }));
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const { key, parts } of paths) {
      let target = out;
      for (let i = 0; i < parts.length - 1; i++) target = (target[parts[i]] ??= {}) as Record<string, unknown>;
      target[parts[parts.length - 1]] = row[key];
    }
    return out;
  });
}
