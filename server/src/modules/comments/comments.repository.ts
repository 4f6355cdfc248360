import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { SEQUELIZE } from '../../common/tokens';

export interface CommentRow {
  id: number;
  url: string;
  text: string;
  video_id: number;
  account_id: number | null;
  origin_comment_id: number | null;
  in_reply_to_comment_id: number | null;
  held_for_review: boolean;
  reply_approval: string | null;
  /** Local accounts named in it (told when it is shown: at once, or when a held comment is approved). */
  mentioned_account_ids: number[];
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A comment as a feed shows it. */
export interface PublicCommentRow {
  id: number;
  url: string;
  text: string;
  created_at: Date;
  updated_at: Date;
  thread_id: number;
  video_uuid: string;
  video_name: string;
  author_name: string | null;
  author_url: string | null;
}

export interface CommentListRow extends CommentRow {
  total_replies: string;
  total_replies_from_video_author: string;
}

/** Who is looking: held comments are shown to their author and to the video's owner only. */
export interface Viewer {
  accountId: number | null;
  isVideoOwner: boolean;
}

/** What federation needs to write a comment as a Note: its own row, its parent's URL, its author actor. */
export interface CommentFederationRow extends CommentRow {
  video_url: string;
  video_uuid: string;
  video_remote: boolean;
  video_privacy: number;
  parent_url: string | null;
  author_actor_id: number | null;
  author_actor_url: string | null;
  author_local: boolean | null;
}

const THREAD_ORDER: Record<string, string> = {
  '-createdAt': 'c.created_at DESC, c.id DESC',
  createdAt: 'c.created_at ASC, c.id ASC',
  '-totalReplies': 'total_replies DESC, c.created_at DESC, c.id DESC',
  totalReplies: 'total_replies ASC, c.created_at DESC, c.id DESC',
};

const visible = (alias: string) => `(${alias}.held_for_review = false OR ${alias}.account_id = :viewerAccountId OR :isVideoOwner)`;

/** Every query on `video_comment`. */
@Injectable()
export class CommentsRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(fn);
  }

  /** Inserts a comment; `url(id)` gives its URL once the id is known (local comments' URLs carry it). */
  async insert(
    row: {
      text: string;
      videoId: number;
      accountId: number;
      originCommentId: number | null;
      inReplyToCommentId: number | null;
      heldForReview: boolean;
      mentionedAccountIds: number[];
      createdAt?: Date;
      updatedAt?: Date;
    },
    url: string | ((id: number) => string),
  ): Promise<CommentRow> {
    return this.sequelize.transaction(async (transaction) => {
      const [{ id }] = await this.sequelize.query<{ id: number }>("SELECT nextval('video_comment_id_seq')::int AS id", { type: QueryTypes.SELECT, transaction });
      const [rows] = await this.sequelize.query(
        `INSERT INTO video_comment (id, url, text, video_id, account_id, origin_comment_id, in_reply_to_comment_id, held_for_review, mentioned_account_ids, created_at, updated_at)
         VALUES (:id, :url, :text, :videoId, :accountId, :originCommentId, :inReplyToCommentId, :heldForReview, CAST(:mentioned AS INTEGER[]), :createdAt, :updatedAt) RETURNING *`,
        {
          replacements: { ...row, id, url: typeof url === 'string' ? url : url(id), mentioned: `{${row.mentionedAccountIds.map((n) => Math.trunc(n)).join(',')}}`, createdAt: row.createdAt ?? new Date(), updatedAt: row.updatedAt ?? row.createdAt ?? new Date() },
          transaction,
        },
      );
      return (rows as CommentRow[])[0];
    });
  }

  async findById(id: number): Promise<CommentRow | null> {
    const rows = await this.sequelize.query<CommentRow>('SELECT * FROM video_comment WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });
    return rows[0] ?? null;
  }

  async findByUrl(url: string): Promise<CommentRow | null> {
    const rows = await this.sequelize.query<CommentRow>('SELECT * FROM video_comment WHERE url = :url', { replacements: { url }, type: QueryTypes.SELECT });
    return rows[0] ?? null;
  }

  /** The comment with its video's and parent's URLs and its author's actor (federation's view). */
  async findForFederation(id: number): Promise<CommentFederationRow | null> {
    const rows = await this.sequelize.query<CommentFederationRow>(
      `SELECT c.*, v.url AS video_url, v.uuid AS video_uuid, v.remote AS video_remote, v.privacy AS video_privacy, p.url AS parent_url,
              ac.id AS author_actor_id, ac.url AS author_actor_url, (ac.server_id IS NULL) AS author_local
       FROM video_comment c
       JOIN video v ON v.id = c.video_id
       LEFT JOIN video_comment p ON p.id = c.in_reply_to_comment_id
       LEFT JOIN account a ON a.id = c.account_id
       LEFT JOIN actor ac ON ac.id = a.actor_id
       WHERE c.id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] ?? null;
  }

  private static readonly THREAD_WHERE = `c.video_id = :videoId AND c.origin_comment_id IS NULL AND ${visible('c')}
    AND (c.deleted_at IS NULL OR EXISTS (SELECT 1 FROM video_comment r WHERE r.origin_comment_id = c.id AND r.deleted_at IS NULL))`;

  private static replyCounts(videoAuthorAccountId: string): string {
    return `(SELECT count(*) FROM video_comment r WHERE r.origin_comment_id = c.id AND r.deleted_at IS NULL AND ${visible('r')}) AS total_replies,
      (SELECT count(*) FROM video_comment r WHERE r.origin_comment_id = c.id AND r.deleted_at IS NULL AND r.account_id = ${videoAuthorAccountId}) AS total_replies_from_video_author`;
  }

  /**
   * The newest comments anyone may read (not deleted, not held) on public, published, not hidden
   * videos, for feeds: of one video, or on the videos of an account or a channel.
   */
  async latestPublic(filter: { videoId?: number; accountId?: number; channelId?: number }, count: number): Promise<PublicCommentRow[]> {
    const where = ['c.deleted_at IS NULL', 'c.held_for_review = false', 'v.privacy = 1', '(v.state = 1 OR (v.state = 2 AND v.wait_transcoding = false))', 'v.id NOT IN (SELECT b.video_id FROM video_blacklist b)'];
    if (filter.videoId !== undefined) where.push('v.id = :videoId');
    if (filter.channelId !== undefined) where.push('v.channel_id = :channelId');
    if (filter.accountId !== undefined) where.push('v.channel_id IN (SELECT id FROM video_channel WHERE account_id = :accountId)');
    return this.sequelize.query<PublicCommentRow>(
      `SELECT c.id, c.url, c.text, c.created_at, c.updated_at, COALESCE(c.origin_comment_id, c.id) AS thread_id,
              v.uuid AS video_uuid, v.name AS video_name, a.name AS author_name, ac.url AS author_url
       FROM video_comment c
       JOIN video v ON v.id = c.video_id
       LEFT JOIN account a ON a.id = c.account_id
       LEFT JOIN actor ac ON ac.id = a.actor_id
       WHERE ${where.join(' AND ')}
       ORDER BY c.created_at DESC LIMIT :count`,
      { replacements: { ...filter, count }, type: QueryTypes.SELECT },
    );
  }

  /** One page of a video's threads, their total, and the video's count of comments not deleted. */
  async threads(videoId: number, videoAuthorAccountId: number | null, viewer: Viewer, q: { start: number; count: number; sort?: string }) {
    const replacements = { videoId, viewerAccountId: viewer.accountId ?? -1, isVideoOwner: viewer.isVideoOwner, authorId: videoAuthorAccountId ?? -1, start: q.start, count: q.count };
    const order = THREAD_ORDER[q.sort ?? '-createdAt'] ?? THREAD_ORDER['-createdAt'];
    const rows = await this.sequelize.query<CommentListRow>(
      `SELECT c.*, ${CommentsRepository.replyCounts(':authorId')} FROM video_comment c WHERE ${CommentsRepository.THREAD_WHERE}
       ORDER BY ${order} OFFSET :start LIMIT :count`,
      { replacements, type: QueryTypes.SELECT },
    );
    const [counts] = await this.sequelize.query<{ total: string; not_deleted: string }>(
      `SELECT (SELECT count(*) FROM video_comment c WHERE ${CommentsRepository.THREAD_WHERE}) AS total,
              (SELECT count(*) FROM video_comment c WHERE c.video_id = :videoId AND c.deleted_at IS NULL AND ${visible('c')}) AS not_deleted`,
      { replacements, type: QueryTypes.SELECT },
    );
    return { rows, total: Number(counts.total), totalNotDeleted: Number(counts.not_deleted) };
  }

  /** A thread's root and every reply the viewer may see, oldest first. */
  async thread(threadId: number, videoAuthorAccountId: number | null, viewer: Viewer): Promise<CommentListRow[]> {
    return this.sequelize.query<CommentListRow>(
      `SELECT c.*, ${CommentsRepository.replyCounts(':authorId')} FROM video_comment c
       WHERE (c.id = :threadId OR c.origin_comment_id = :threadId) AND ${visible('c')}
       ORDER BY c.created_at ASC, c.id ASC`,
      { replacements: { threadId, viewerAccountId: viewer.accountId ?? -1, isVideoOwner: viewer.isVideoOwner, authorId: videoAuthorAccountId ?? -1 }, type: QueryTypes.SELECT },
    );
  }

  /** Tombstone: the row stays (replies hang on it, its URL answers a Tombstone), text and author go. */
  async markDeleted(id: number): Promise<boolean> {
    const [rows] = await this.sequelize.query(
      `UPDATE video_comment SET deleted_at = now(), updated_at = now(), text = '', account_id = NULL, held_for_review = false
       WHERE id = :id AND deleted_at IS NULL RETURNING id`,
      { replacements: { id } },
    );
    return (rows as unknown[]).length > 0;
  }

  /** An edit from the author's instance; an older edit never overwrites a newer one. */
  async updateText(id: number, text: string, updatedAt: Date): Promise<boolean> {
    const [rows] = await this.sequelize.query(
      'UPDATE video_comment SET text = :text, updated_at = :updatedAt WHERE id = :id AND deleted_at IS NULL AND updated_at <= :updatedAt RETURNING id',
      { replacements: { id, text, updatedAt } },
    );
    return (rows as unknown[]).length > 0;
  }

  async approve(id: number, replyApproval: string | null): Promise<boolean> {
    const [rows] = await this.sequelize.query(
      'UPDATE video_comment SET held_for_review = false, reply_approval = :replyApproval, updated_at = now() WHERE id = :id AND held_for_review RETURNING id',
      { replacements: { id, replyApproval } },
    );
    return (rows as unknown[]).length > 0;
  }

  /** Comments on the videos of these channels' owner (null: every comment, for moderators), newest first. */
  async listForOwnerOrAdmin(q: {
    ownerAccountId: number | null;
    videoId?: number;
    search?: string;
    heldForReview?: boolean;
    isLocal?: boolean;
    onLocalVideo?: boolean;
    start: number;
    count: number;
    sort?: string;
  }) {
    const where = [
      q.isLocal !== undefined ? `(SELECT ac.server_id IS NULL FROM account a JOIN actor ac ON ac.id = a.actor_id WHERE a.id = c.account_id) = ${q.isLocal ? 'true' : 'false'}` : 'true',
      q.onLocalVideo !== undefined ? `v.remote = ${q.onLocalVideo ? 'false' : 'true'}` : 'true',
      'c.deleted_at IS NULL',
      q.ownerAccountId !== null ? 'ch.account_id = :ownerAccountId' : 'true',
      q.videoId !== undefined ? 'c.video_id = :videoId' : 'true',
      q.search ? "c.text ILIKE '%' || :search || '%'" : 'true',
      q.heldForReview !== undefined ? 'c.held_for_review = :heldForReview' : 'true',
    ].join(' AND ');
    const replacements = { ownerAccountId: q.ownerAccountId, videoId: q.videoId ?? null, search: q.search?.replace(/[\\%_]/g, (m) => `\\${m}`) ?? null, heldForReview: q.heldForReview ?? null, start: q.start, count: q.count };
    const from = 'FROM video_comment c JOIN video v ON v.id = c.video_id JOIN video_channel ch ON ch.id = v.channel_id';
    const rows = await this.sequelize.query<CommentRow & { video_uuid: string; video_name: string }>(
      `SELECT c.*, v.uuid AS video_uuid, v.name AS video_name ${from} WHERE ${where}
       ORDER BY c.created_at ${q.sort === 'createdAt' ? 'ASC' : 'DESC'}, c.id DESC OFFSET :start LIMIT :count`,
      { replacements, type: QueryTypes.SELECT },
    );
    const [{ total }] = await this.sequelize.query<{ total: string }>(`SELECT count(*) AS total ${from} WHERE ${where}`, { replacements, type: QueryTypes.SELECT });
    return { rows, total: Number(total) };
  }

  /** URLs of a video's comments shown to everyone (not deleted, not held), oldest first: its ActivityPub `comments` collection. */
  async publicUrls(videoId: number, start: number, count: number): Promise<{ total: number; urls: string[] }> {
    const where = 'video_id = :videoId AND deleted_at IS NULL AND held_for_review = false';
    const rows = await this.sequelize.query<{ url: string }>(`SELECT url FROM video_comment WHERE ${where} ORDER BY created_at ASC, id ASC OFFSET :start LIMIT :count`, {
      replacements: { videoId, start, count },
      type: QueryTypes.SELECT,
    });
    const [{ total }] = await this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM video_comment WHERE ${where}`, { replacements: { videoId }, type: QueryTypes.SELECT });
    return { total: Number(total), urls: rows.map((r) => r.url) };
  }

  /** The accounts of every comment a reply answers, up the chain (federation: mentions and audience). */
  async ancestorAccountIds(commentId: number): Promise<number[]> {
    const rows = await this.sequelize.query<{ account_id: number }>(
      `WITH RECURSIVE up AS (
         SELECT id, in_reply_to_comment_id, account_id, 0 AS depth FROM video_comment WHERE id = :commentId
         UNION ALL SELECT p.id, p.in_reply_to_comment_id, p.account_id, up.depth + 1 FROM video_comment p JOIN up ON p.id = up.in_reply_to_comment_id WHERE up.depth < 100
       ) SELECT DISTINCT account_id FROM up WHERE account_id IS NOT NULL AND id <> :commentId`,
      { replacements: { commentId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => r.account_id);
  }
}
