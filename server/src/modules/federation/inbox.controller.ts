import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { notFound } from '../../common/app-error';
import { ActorsService } from '../actors/actors.service';
import { InboxService, type InboxRequest } from './inbox.service';

/** The shared inbox and the per-actor inboxes: verify, queue, answer 204 (processing is asynchronous). */
@Controller()
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly actors: ActorsService,
  ) {}

  @Post('inbox')
  @HttpCode(204)
  async shared(@Req() req: Request): Promise<void> {
    await this.inbox.receive(req as unknown as InboxRequest);
  }

  @Post(['accounts/:name/inbox', 'video-channels/:name/inbox'])
  @HttpCode(204)
  async actorInbox(@Param('name') name: string, @Req() req: Request): Promise<void> {
    const actor = await this.actors.findLocalByName(name);
    if (!actor) throw notFound(`No local actor named ${name}`);
    await this.inbox.receive(req as unknown as InboxRequest);
  }
}
