import { z } from 'zod';
import { looseInt, paginationQuery, queryBoolean, type ResultList } from './common';
import { text } from './text';
import type { Account } from './users';

/** The video a comment is about, in the owner/admin list (PeerTube's VideoInfo). */
export interface VideoInfo {
  id: number;
  uuid: string;
  name: string;
}

/** PeerTube's comment length limit (markdown source or remote HTML). */
export const COMMENT_TEXT_MAX = 10000;

/** `{ text }` of a new thread or reply: markdown, 1–10000 characters once trimmed. */
export const commentCreateSchema = z.object({
  text: text()
    .max(COMMENT_TEXT_MAX)
    .refine((s) => s.trim().length > 0, 'must not be empty'),
});
export type CommentCreate = z.infer<typeof commentCreateSchema>;

export const COMMENT_THREAD_SORTS = ['-createdAt', 'createdAt', '-totalReplies', 'totalReplies'] as const;

export const commentThreadsQuery = paginationQuery.extend({
  sort: z.enum(COMMENT_THREAD_SORTS).optional(),
});
export type CommentThreadsQuery = z.infer<typeof commentThreadsQuery>;

/** `GET /api/v1/videos/comments` (moderators: every comment) and `/api/v1/users/me/videos/comments` (comments on my videos). */
export const listCommentsQuery = paginationQuery.extend({
  sort: z.enum(['-createdAt', 'createdAt']).optional(),
  search: text().max(100).optional(),
  videoId: looseInt.pipe(z.number().int().min(1).max(2147483647)).optional(),
  isHeldForReview: queryBoolean.optional(),
  isLocal: queryBoolean.optional(),
  onLocalVideo: queryBoolean.optional(),
});
export type ListCommentsQuery = z.infer<typeof listCommentsQuery>;

export interface VideoComment {
  id: number;
  url: string;
  /** Markdown for local comments, sanitized HTML for remote ones ('' once deleted). */
  text: string;
  threadId: number;
  inReplyToCommentId: number | null;
  videoId: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  isDeleted: boolean;
  heldForReview: boolean;
  totalRepliesFromVideoAuthor: number;
  totalReplies: number;
  /** Null once deleted (PeerTube's tombstone shape). */
  account: Account | null;
}

export interface VideoCommentThreads extends ResultList<VideoComment> {
  totalNotDeletedComments: number;
}

export interface VideoCommentThreadTree {
  comment: VideoComment;
  children: VideoCommentThreadTree[];
}

export interface VideoCommentForOwnerOrAdmin {
  id: number;
  url: string;
  text: string;
  heldForReview: boolean;
  threadId: number;
  inReplyToCommentId: number | null;
  createdAt: string;
  updatedAt: string;
  account: Account;
  video: VideoInfo;
  automaticTags: string[];
}
