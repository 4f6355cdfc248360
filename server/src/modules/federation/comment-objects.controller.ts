import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AP_CONTENT_TYPE, ErrorCode, looseInt } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { CommentsFederationService } from './comments-federation.service';

const AP_TYPES = ['application/activity+json', 'application/ld+json'];
const videoParam = z.object({ id: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a video UUID') });
const pageQuery = z.object({ page: looseInt.pipe(z.number().int().min(1).max(100000)).optional() });
const params = videoParam.extend({
  commentId: looseInt.pipe(z.number().int().min(1).max(2147483647)),
});

/** A local video's `comments` collection; a local comment's Note (a Tombstone once deleted) and its Create, at the comment's URL (§3.3). */
@Controller()
export class CommentObjectsController {
  constructor(private readonly comments: CommentsFederationService) {}

  @Get('videos/watch/:id/comments')
  async collection(@Param(zod(videoParam)) p: z.infer<typeof videoParam>, @Query(zod(pageQuery)) q: z.infer<typeof pageQuery>, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.assertAp(req);
    const body = await this.comments.commentsCollection(p.id, q.page);
    if (!body) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(body));
  }

  @Get(['videos/watch/:id/comments/:commentId', 'videos/watch/:id/comments/:commentId/activity'])
  async note(@Param(zod(params)) p: z.infer<typeof params>, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.assertAp(req);
    const object = await this.comments.noteObject(p.id, p.commentId, req.path.endsWith('/activity'));
    if (!object) throw notFound('Video comment not found', ErrorCode.COMMENT_NOT_FOUND);
    res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(object));
  }

  private assertAp(req: Request): void {
    const accept = (req.headers.accept ?? '').toLowerCase();
    if (!AP_TYPES.some((t) => accept.includes(t))) throw notFound('Not an ActivityPub request', ErrorCode.ROUTE_NOT_FOUND);
  }
}
