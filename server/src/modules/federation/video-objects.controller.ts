import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AP_CONTENT_TYPE, ErrorCode, text } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { VideoOutboxService } from './video-outbox.service';

const AP_TYPES = ['application/activity+json', 'application/ld+json'];
const idParam = z.object({ id: text().min(1).max(100) });

/** The Video object at the video's URL (browsers get the web client's page before this route). */
@Controller()
export class VideoObjectsController {
  constructor(private readonly outbox: VideoOutboxService) {}

  @Get(['videos/watch/:id', 'w/:id', 'videos/watch/:id/activity'])
  async video(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const accept = (req.headers.accept ?? '').toLowerCase();
    if (!AP_TYPES.some((t) => accept.includes(t))) throw notFound('Not an ActivityPub request', ErrorCode.ROUTE_NOT_FOUND);
    const { object, redirect } = await this.outbox.videoObject(p.id);
    // Not ours: the origin serves it.
    if (redirect) return res.redirect(302, redirect);
    if (!object) throw notFound('Video not found', ErrorCode.VIDEO_NOT_FOUND);
    const body = req.path.endsWith('/activity')
      ? { '@context': object['@context'], id: `${object.id as string}/activity`, type: 'Create', actor: (object.attributedTo as { id: string }[])[0].id, object: { ...object, '@context': undefined }, to: object.to, cc: object.cc }
      : object;
    res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(body));
  }
}
