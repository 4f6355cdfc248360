import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  VideoCommentPolicy,
  type Account,
  type CommentThreadsQuery,
  type ListCommentsQuery,
  type ResultList,
  type VideoComment,
  type VideoCommentForOwnerOrAdmin,
  type VideoCommentThreads,
  type VideoCommentThreadTree,
} from '@flotilla/shared';
import { AppError, conflict, forbidden, notFound } from '../../common/app-error';
import { hasRight, UserRight } from '../../common/rights';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import type { AuthUser } from '../users/users.types';
import { AccountsService } from '../users/accounts.service';
import type { VideoModel } from '../videos';
import { VideosService } from '../videos/videos.service';
import { mentionsOf } from './comment-text';
import { CommentsRepository, type CommentListRow, type CommentRow, type Viewer } from './comments.repository';

const iso = (d: Date | string) => new Date(d).toISOString();
/** Comments read the video's policy, privacy and owners, never its files. */
const LIGHT = { withFiles: false };

/** A comment from another instance, already checked by federation (origin, author, thread). */
export interface RemoteComment {
  url: string;
  /** Sanitized HTML (Mastodon) or the markdown source (PeerTube). */
  text: string;
  videoId: number;
  accountId: number;
  inReplyTo: { id: number; threadId: number } | null;
  mentionedAccountIds: number[];
  published: Date;
  updated: Date;
}

/**
 * PeerTube's comments: threads, replies, tombstones on delete, the video's comments policy and the
 * owner's approval of held comments. Federation reads and writes remote comments through this
 * service and sends local ones out on the `comment.*` events.
 */
@Injectable()
export class CommentsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: CommentsRepository,
    private readonly videos: VideosService,
    private readonly accounts: AccountsService,
    private readonly events: EventBus,
  ) {}

  private isOwner(video: VideoModel, user: AuthUser | undefined): boolean {
    return !!user && video.VideoChannel?.Account?.userId === user.id;
  }

  private async viewer(video: VideoModel, user: AuthUser | undefined): Promise<Viewer> {
    if (!user) return { accountId: null, isVideoOwner: false };
    const account = await this.accounts.accountOfUser(user.id);
    return { accountId: account.id, isVideoOwner: this.isOwner(video, user) };
  }

  async listThreads(idOrUuid: string, user: AuthUser | undefined, q: CommentThreadsQuery): Promise<VideoCommentThreads> {
    const video = await this.videos.loadVisible(idOrUuid, user, LIGHT);
    // PeerTube answers an empty page for a video whose comments are disabled.
    if (video.commentsPolicy === VideoCommentPolicy.DISABLED) return { total: 0, totalNotDeletedComments: 0, data: [] };
    const { rows, total, totalNotDeleted } = await this.repo.threads(video.id, video.VideoChannel?.Account?.id ?? null, await this.viewer(video, user), q);
    const accounts = await this.accounts.formatMany(rows.flatMap((r) => (r.account_id ? [r.account_id] : [])));
    return { total, totalNotDeletedComments: totalNotDeleted, data: rows.map((r) => this.format(r, accounts)) };
  }

  async thread(idOrUuid: string, threadId: number, user: AuthUser | undefined): Promise<VideoCommentThreadTree> {
    const video = await this.videos.loadVisible(idOrUuid, user, LIGHT);
    const root = await this.loadOf(video, threadId);
    if (root.origin_comment_id !== null) throw notFound('This comment is not a thread', ErrorCode.COMMENT_NOT_FOUND);
    const viewer = await this.viewer(video, user);
    const rows = await this.repo.thread(threadId, video.VideoChannel?.Account?.id ?? null, viewer);
    // A deleted thread stays readable (as a tombstone) only while some reply lives under it.
    if (!rows.some((r) => r.id === threadId) || (root.deleted_at && !rows.some((r) => r.id !== threadId && !r.deleted_at))) {
      throw notFound('Video comment thread not found', ErrorCode.COMMENT_NOT_FOUND);
    }
    const accounts = await this.accounts.formatMany(rows.flatMap((r) => (r.account_id ? [r.account_id] : [])));
    const nodes = new Map<number, VideoCommentThreadTree>(rows.map((r) => [r.id, { comment: this.format(r, accounts), children: [] }]));
    for (const r of rows) {
      if (r.id === threadId) continue;
      // A reply whose parent the viewer may not see (held) hangs on the thread's root.
      (nodes.get(r.in_reply_to_comment_id ?? threadId) ?? nodes.get(threadId)!).children.push(nodes.get(r.id)!);
    }
    return nodes.get(threadId)!;
  }

  async createThread(idOrUuid: string, user: AuthUser, text: string): Promise<{ comment: VideoComment }> {
    const video = await this.videos.loadVisible(idOrUuid, user, LIGHT);
    return this.create(video, user, text, null);
  }

  async reply(idOrUuid: string, commentId: number, user: AuthUser, text: string): Promise<{ comment: VideoComment }> {
    const video = await this.videos.loadVisible(idOrUuid, user, LIGHT);
    const parent = await this.loadOf(video, commentId);
    if (parent.deleted_at) throw notFound('Cannot reply to a deleted comment', ErrorCode.COMMENT_NOT_FOUND);
    const viewer = await this.viewer(video, user);
    if (parent.held_for_review && parent.account_id !== viewer.accountId && !viewer.isVideoOwner) throw notFound('Video comment not found', ErrorCode.COMMENT_NOT_FOUND);
    return this.create(video, user, text, parent);
  }

  private async create(video: VideoModel, user: AuthUser, text: string, parent: CommentRow | null): Promise<{ comment: VideoComment }> {
    if (video.commentsPolicy === VideoCommentPolicy.DISABLED) throw forbidden('Video comments are disabled for this video', ErrorCode.VIDEO_COMMENTS_DISABLED);
    const account = await this.accounts.accountOfUser(user.id);
    // The owner's comments are never held, nor a moderator's on our videos (on a remote video, its origin decides).
    const held =
      video.commentsPolicy === VideoCommentPolicy.REQUIRES_APPROVAL && !this.isOwner(video, user) && (video.remote || !hasRight(user.role, UserRight.MANAGE_ANY_VIDEO));
    const mentioned = await this.mentionedLocalAccounts(text, account.id);
    const row = await this.repo.insert(
      {
        text,
        videoId: video.id,
        accountId: account.id,
        originCommentId: parent ? (parent.origin_comment_id ?? parent.id) : null,
        inReplyToCommentId: parent?.id ?? null,
        heldForReview: held,
        mentionedAccountIds: mentioned,
      },
      (id) => `${this.config.webserverUrl}/videos/watch/${video.uuid}/comments/${id}`,
    );
    this.emitCreated(row, account.id);
    const accounts = await this.accounts.formatMany([account.id]);
    return { comment: this.format({ ...row, total_replies: '0', total_replies_from_video_author: '0' }, accounts) };
  }

  /** The seam to notifications (and to federation for local comments). */
  private emitCreated(row: CommentRow, authorAccountId: number): void {
    this.events.emit('comment.created', {
      commentId: row.id,
      videoId: row.video_id,
      threadId: row.origin_comment_id ?? row.id,
      inReplyToCommentId: row.in_reply_to_comment_id,
      authorAccountId,
      mentionedAccountIds: row.mentioned_account_ids,
      heldForReview: row.held_for_review,
    });
  }

  /**
   * A held comment is now shown: federation sends it on (`byAccountId`: the local approver; null when
   * the remote video's origin approved it) and notifications tell those it mentions or answers.
   */
  private emitApproved(row: CommentRow, byAccountId: number | null): void {
    if (row.account_id === null) return;
    this.events.emit('comment.approved', {
      commentId: row.id,
      videoId: row.video_id,
      threadId: row.origin_comment_id ?? row.id,
      inReplyToCommentId: row.in_reply_to_comment_id,
      authorAccountId: row.account_id,
      mentionedAccountIds: row.mentioned_account_ids,
      byAccountId,
    });
  }

  /** Local accounts named in `@name` / `@name@<this host>` mentions, the author left out. */
  private async mentionedLocalAccounts(text: string, authorAccountId: number): Promise<number[]> {
    const ids = new Set<number>();
    for (const m of mentionsOf(text)) {
      if (m.host !== null && m.host !== this.config.webserverHost.toLowerCase()) continue;
      const ref = await this.accounts.findLocalByName(m.name);
      if (ref && ref.id !== authorAccountId) ids.add(ref.id);
    }
    return [...ids].slice(0, 100);
  }

  /** Deleted by its author, the video's owner or a moderator; it stays as a tombstone (409 the second time). */
  async delete(idOrUuid: string, commentId: number, user: AuthUser): Promise<void> {
    const video = await this.videos.loadByIdentifier(idOrUuid, LIGHT);
    const comment = await this.loadOf(video, commentId);
    if (comment.deleted_at) throw conflict('This comment is already deleted', ErrorCode.COMMENT_ALREADY_DELETED);
    const account = await this.accounts.accountOfUser(user.id);
    const allowed = comment.account_id === account.id || this.isOwner(video, user) || hasRight(user.role, UserRight.MANAGE_ANY_VIDEO);
    if (!allowed) throw forbidden('Cannot remove the comment of another user', ErrorCode.NOT_COMMENT_OWNER);
    if (!(await this.repo.markDeleted(comment.id))) throw conflict('This comment is already deleted', ErrorCode.COMMENT_ALREADY_DELETED);
    this.events.emit('comment.deleted', { commentId: comment.id, videoId: video.id, url: comment.url, authorAccountId: comment.account_id, byAccountId: account.id });
  }

  /** PeerTube 6.2: the video's owner (or a moderator) shows a held comment to everyone. */
  async approve(idOrUuid: string, commentId: number, user: AuthUser): Promise<void> {
    const video = await this.videos.loadByIdentifier(idOrUuid, LIGHT);
    const comment = await this.loadOf(video, commentId);
    if (!this.isOwner(video, user) && !hasRight(user.role, UserRight.MANAGE_ANY_VIDEO)) throw forbidden('Only the owner of the video can approve its comments', ErrorCode.NOT_VIDEO_OWNER);
    if (comment.deleted_at) throw notFound('Video comment not found', ErrorCode.COMMENT_NOT_FOUND);
    if (!comment.held_for_review) throw conflict('This comment is not held for review', ErrorCode.COMMENT_NOT_HELD);
    // The ApproveReply's id (activitypub.md §3.3) is kept as the Note's replyApproval.
    const approval = video.remote ? null : `${comment.url}/approve-reply`;
    if (!(await this.repo.approve(comment.id, approval))) throw conflict('This comment is not held for review', ErrorCode.COMMENT_NOT_HELD);
    const account = await this.accounts.accountOfUser(user.id);
    this.emitApproved(comment, account.id);
  }

  /** Every comment (`all`, moderators: `/videos/comments`) or those on the caller's videos (`/users/me/videos/comments`). */
  async listForOwnerOrAdmin(user: AuthUser, q: ListCommentsQuery, scope: 'all' | 'mine'): Promise<ResultList<VideoCommentForOwnerOrAdmin>> {
    const ownerAccountId = scope === 'all' ? null : (await this.accounts.accountOfUser(user.id)).id;
    const { rows, total } = await this.repo.listForOwnerOrAdmin({
      ownerAccountId,
      videoId: q.videoId,
      search: q.search,
      heldForReview: q.isHeldForReview,
      isLocal: q.isLocal,
      onLocalVideo: q.onLocalVideo,
      start: q.start,
      count: q.count,
      sort: q.sort,
    });
    const accounts = await this.accounts.formatMany(rows.flatMap((r) => (r.account_id ? [r.account_id] : [])));
    const data: VideoCommentForOwnerOrAdmin[] = [];
    for (const r of rows) {
      const account = r.account_id ? accounts.get(r.account_id) : undefined;
      if (!account) continue;
      data.push({
        id: r.id,
        url: r.url,
        text: r.text,
        heldForReview: r.held_for_review,
        threadId: r.origin_comment_id ?? r.id,
        inReplyToCommentId: r.in_reply_to_comment_id,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        account,
        video: { id: r.video_id, uuid: r.video_uuid, name: r.video_name },
        automaticTags: [],
      });
    }
    return { total, data };
  }

  /** The comment `commentId` of this video: 404 when unknown, 400 when it is another video's (PeerTube). */
  private async loadOf(video: VideoModel, commentId: number): Promise<CommentRow> {
    const comment = await this.repo.findById(commentId);
    if (!comment) throw notFound('Video comment not found', ErrorCode.COMMENT_NOT_FOUND);
    if (comment.video_id !== video.id) throw new AppError(400, ErrorCode.COMMENT_NOT_ASSOCIATED_TO_VIDEO, 'Video comment is not associated to this video');
    return comment;
  }

  private format(r: CommentListRow, accounts: Map<number, Account>): VideoComment {
    const deleted = r.deleted_at !== null;
    return {
      id: r.id,
      url: r.url,
      text: deleted ? '' : r.text,
      threadId: r.origin_comment_id ?? r.id,
      inReplyToCommentId: r.in_reply_to_comment_id,
      videoId: r.video_id,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      deletedAt: r.deleted_at ? iso(r.deleted_at) : null,
      isDeleted: deleted,
      heldForReview: r.held_for_review,
      totalRepliesFromVideoAuthor: Number(r.total_replies_from_video_author),
      totalReplies: Number(r.total_replies),
      account: !deleted && r.account_id ? (accounts.get(r.account_id) ?? null) : null,
    };
  }

  // --- federation's side -------------------------------------------------------------------

  /** The account that wrote a comment (notifications: the author replied to), null once gone. */
  async authorAccountIdOf(commentId: number): Promise<number | null> {
    return (await this.repo.findById(commentId))?.account_id ?? null;
  }

  /** The newest readable comments of a video, or on an account's or a channel's videos (feeds). */
  latestPublic(filter: { videoId?: number; accountId?: number; channelId?: number }, count: number) {
    return this.repo.latestPublic(filter, count);
  }

  findForFederation(commentId: number) {
    return this.repo.findForFederation(commentId);
  }

  async findByUrl(url: string): Promise<CommentRow | null> {
    return this.repo.findByUrl(url);
  }

  /** One page of a video's public comment URLs (its `comments` collection). */
  publicUrls(videoId: number, start: number, count: number) {
    return this.repo.publicUrls(videoId, start, count);
  }

  /** Accounts of the comments a comment answers (its Note's audience and mentions). */
  ancestorAccountIds(commentId: number): Promise<number[]> {
    return this.repo.ancestorAccountIds(commentId);
  }

  /**
   * Stores a comment from another instance (once: a known URL is left as it is). Held for review when
   * the video is local with policy 3; refused when its comments are disabled. Returns its id, or null.
   */
  async createRemote(c: RemoteComment): Promise<number | null> {
    const known = await this.repo.findByUrl(c.url);
    if (known) return known.id;
    const video = await this.videos.loadWithFiles(c.videoId);
    if (!video) return null;
    if (!video.remote && video.commentsPolicy === VideoCommentPolicy.DISABLED) return null;
    const held = !video.remote && video.commentsPolicy === VideoCommentPolicy.REQUIRES_APPROVAL;
    const row = await this.repo.insert(
      {
        text: c.text,
        videoId: video.id,
        accountId: c.accountId,
        originCommentId: c.inReplyTo?.threadId ?? null,
        inReplyToCommentId: c.inReplyTo?.id ?? null,
        heldForReview: held,
        mentionedAccountIds: [...new Set(c.mentionedAccountIds.filter((id) => id !== c.accountId))].slice(0, 100),
        createdAt: c.published,
        updatedAt: c.updated,
      },
      c.url,
    );
    this.emitCreated(row, c.accountId);
    return row.id;
  }

  /** A remote Delete (already checked: by the author or the video's owner). */
  async deleteRemote(commentId: number): Promise<boolean> {
    const row = await this.repo.findById(commentId);
    if (!row || !(await this.repo.markDeleted(commentId))) return false;
    this.events.emit('comment.deleted', { commentId, videoId: row.video_id, url: row.url, authorAccountId: row.account_id, byAccountId: null });
    return true;
  }

  /** An Update{Note} from the author's instance (already checked by federation). */
  updateRemote(commentId: number, text: string, updated: Date): Promise<boolean> {
    return this.repo.updateText(commentId, text, updated);
  }

  /** An ApproveReply from the remote video's origin; false when the comment was not held (nothing changed). */
  async approveRemote(commentId: number, replyApproval: string): Promise<boolean> {
    if (!(await this.repo.approve(commentId, replyApproval))) return false;
    const row = await this.repo.findById(commentId);
    if (row) this.emitApproved(row, null);
    return true;
  }
}
