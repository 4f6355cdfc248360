import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  commentCreateSchema,
  commentThreadsQuery,
  listCommentsQuery,
  looseInt,
  text,
  type CommentCreate,
  type CommentThreadsQuery,
  type ListCommentsQuery,
  type ResultList,
  type VideoComment,
  type VideoCommentForOwnerOrAdmin,
  type VideoCommentThreads,
  type VideoCommentThreadTree,
} from '@flotilla/shared';
import { z } from 'zod';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated, OptionalAuth, type AuthContext } from '../auth';
import { CommentsService } from './comments.service';

const commentId = looseInt.pipe(z.number().int().min(1).max(2147483647));
const videoParam = z.object({ id: text().min(1).max(64) });
const threadParam = videoParam.extend({ threadId: commentId });
const commentParam = videoParam.extend({ commentId });

/**
 * PeerTube's comment API. Registered before the videos controller (app module order):
 * `/videos/comments` is not a video id.
 */
@Controller('api/v1')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** Every comment of the instance (moderators). */
  @Get('videos/comments')
  @Authenticated(UserRight.MANAGE_ANY_VIDEO)
  listForAdmin(@Auth() auth: AuthContext, @Query(zod(listCommentsQuery)) q: ListCommentsQuery): Promise<ResultList<VideoCommentForOwnerOrAdmin>> {
    return this.comments.listForOwnerOrAdmin(auth.user, q, 'all');
  }

  /** PeerTube 6.2: comments on the caller's videos (where held comments wait for approval). */
  @Get('users/me/videos/comments')
  @Authenticated()
  listForOwner(@Auth() auth: AuthContext, @Query(zod(listCommentsQuery)) q: ListCommentsQuery): Promise<ResultList<VideoCommentForOwnerOrAdmin>> {
    return this.comments.listForOwnerOrAdmin(auth.user, q, 'mine');
  }

  @Get('videos/:id/comment-threads')
  @OptionalAuth()
  threads(@Auth() auth: AuthContext | undefined, @Param(zod(videoParam)) p: z.infer<typeof videoParam>, @Query(zod(commentThreadsQuery)) q: CommentThreadsQuery): Promise<VideoCommentThreads> {
    return this.comments.listThreads(p.id, auth?.user, q);
  }

  @Post('videos/:id/comment-threads')
  @HttpCode(200)
  @Authenticated()
  createThread(@Auth() auth: AuthContext, @Param(zod(videoParam)) p: z.infer<typeof videoParam>, @Body(zod(commentCreateSchema)) body: CommentCreate): Promise<{ comment: VideoComment }> {
    return this.comments.createThread(p.id, auth.user, body.text);
  }

  @Get('videos/:id/comment-threads/:threadId')
  @OptionalAuth()
  thread(@Auth() auth: AuthContext | undefined, @Param(zod(threadParam)) p: z.infer<typeof threadParam>): Promise<VideoCommentThreadTree> {
    return this.comments.thread(p.id, p.threadId, auth?.user);
  }

  @Post('videos/:id/comments/:commentId')
  @HttpCode(200)
  @Authenticated()
  reply(@Auth() auth: AuthContext, @Param(zod(commentParam)) p: z.infer<typeof commentParam>, @Body(zod(commentCreateSchema)) body: CommentCreate): Promise<{ comment: VideoComment }> {
    return this.comments.reply(p.id, p.commentId, auth.user, body.text);
  }

  @Delete('videos/:id/comments/:commentId')
  @HttpCode(204)
  @Authenticated()
  async remove(@Auth() auth: AuthContext, @Param(zod(commentParam)) p: z.infer<typeof commentParam>): Promise<void> {
    await this.comments.delete(p.id, p.commentId, auth.user);
  }

  @Post('videos/:id/comments/:commentId/approve')
  @HttpCode(204)
  @Authenticated()
  async approve(@Auth() auth: AuthContext, @Param(zod(commentParam)) p: z.infer<typeof commentParam>): Promise<void> {
    await this.comments.approve(p.id, p.commentId, auth.user);
  }
}
