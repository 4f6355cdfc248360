import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { contactFormSchema, type ContactForm } from '@flotilla/shared';
import type { Request } from 'express';
import { zod } from '../../common/zod.pipe';
import { ContactService } from './contact.service';

/** PeerTube's `POST /api/v1/server/contact` (no account needed). */
@Controller('api/v1/server')
export class ContactController {
  constructor(private readonly contact: ContactService) {}

  @Post('contact')
  @HttpCode(204)
  async send(@Body(zod(contactFormSchema)) body: ContactForm, @Req() req: Request): Promise<void> {
    await this.contact.send(body, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }
}
