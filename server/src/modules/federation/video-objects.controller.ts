import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AP_CONTENT_TYPE, ErrorCode, looseInt, text } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { VideoCollectionsService } from './video-collections.service';
import { VideoOutboxService } from './video-outbox.service';

const AP_TYPES = ['application/activity+json', 'application/ld+json'];
const idParam = z.object({ id: text().min(1).max(100) });
const announceParam = idParam.extend({ actorId: looseInt.pipe(z.number().int().min(1).max(2147483647)) });
const pageQuery = z.object({ page: looseInt.pipe(z.number().int().min(1).max(100000)).optional() });

function assertAp(req: Request): void {
  const accept = (req.headers.accept ?? '').toLowerCase();
  if (!AP_TYPES.some((t) => accept.includes(t))) throw notFound('Not an ActivityPub request', ErrorCode.ROUTE_NOT_FOUND);
}

function sendAp(res: Response, body: Record<string, unknown> | null): void {
  if (!body) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
  res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The Video object at the video's URL (browsers get the web client's page before this route), and its likes/dislikes/announces collections. */
@Controller()
export class VideoObjectsController {
  constructor(
    private readonly outbox: VideoOutboxService,
    private readonly collections: VideoCollectionsService,
  ) {}

  @Get(['videos/watch/:id', 'w/:id', 'videos/watch/:id/activity'])
  async video(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertAp(req);
    const { object, redirect } = await this.outbox.videoObject(p.id);
    // Not ours: the origin serves it.
    if (redirect) return res.redirect(302, redirect);
    if (!object) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    const body = req.path.endsWith('/activity')
      ? { '@context': object['@context'], id: `${object.id as string}/activity`, type: 'Create', actor: (object.attributedTo as { id: string }[])[0].id, object: { ...object, '@context': undefined }, to: object.to, cc: object.cc }
      : object;
    sendAp(res, body);
  }

  @Get(['videos/watch/:id/likes', 'videos/watch/:id/dislikes'])
  async rates(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Query(zod(pageQuery)) q: z.infer<typeof pageQuery>, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertAp(req);
    sendAp(res, await this.collections.rates(p.id, req.path.endsWith('/dislikes') ? 'dislikes' : 'likes', q.page));
  }

  @Get('videos/watch/:id/announces')
  async announces(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Query(zod(pageQuery)) q: z.infer<typeof pageQuery>, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertAp(req);
    sendAp(res, await this.collections.announces(p.id, q.page));
  }

  @Get('videos/watch/:id/announces/:actorId')
  async announce(@Param(zod(announceParam)) p: z.infer<typeof announceParam>, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertAp(req);
    sendAp(res, await this.collections.announce(p.id, p.actorId));
  }
}
