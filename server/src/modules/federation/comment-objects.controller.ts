import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AP_CONTENT_TYPE, ErrorCode, looseInt } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { CommentsFederationService } from './comments-federation.service';

const AP_TYPES = ['application/activity+json', 'application/ld+json'];
const params = z.object({
  id: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a video UUID'),
  commentId: looseInt.pipe(z.number().int().min(1).max(2147483647)),
});

/** A local comment's Note (a Tombstone once deleted) and its Create, at the comment's URL (§3.3). */
@Controller()
export class CommentObjectsController {
  constructor(private readonly comments: CommentsFederationService) {}

  @Get(['videos/watch/:id/comments/:commentId', 'videos/watch/:id/comments/:commentId/activity'])
  async note(@Param(zod(params)) p: z.infer<typeof params>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const accept = (req.headers.accept ?? '').toLowerCase();
    if (!AP_TYPES.some((t) => accept.includes(t))) throw notFound('Not an ActivityPub request', ErrorCode.ROUTE_NOT_FOUND);
    const object = await this.comments.noteObject(p.id, p.commentId, req.path.endsWith('/activity'));
    if (!object) throw notFound('Video comment not found', ErrorCode.COMMENT_NOT_FOUND);
    res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(object));
  }
}
