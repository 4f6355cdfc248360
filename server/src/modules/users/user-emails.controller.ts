import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  askEmailSchema,
  resetPasswordSchema,
  verifyEmailSchema,
  type AskEmail,
  type ResetPassword,
  type VerifyEmail,
} from '@flotilla/shared';
import type { z } from 'zod';
import { idParam } from '../../common/params';
import { zod } from '../../common/zod.pipe';
import { UserEmailsService } from './user-emails.service';

/** PeerTube's "forgot password" and e-mail verification routes; the secrets arrive from mailed links. */
@Controller('api/v1/users')
export class UserEmailsController {
  constructor(private readonly emails: UserEmailsService) {}

  @Post('ask-reset-password')
  @HttpCode(204)
  async askResetPassword(@Body(zod(askEmailSchema)) body: AskEmail): Promise<void> {
    await this.emails.askResetPassword(body.email);
  }

  @Post(':id/reset-password')
  @HttpCode(204)
  async resetPassword(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Body(zod(resetPasswordSchema)) body: ResetPassword): Promise<void> {
    await this.emails.resetPassword(p.id, body.verificationString, body.password);
  }

  @Post('ask-send-verify-email')
  @HttpCode(204)
  async askSendVerifyEmail(@Body(zod(askEmailSchema)) body: AskEmail): Promise<void> {
    await this.emails.askSendVerifyEmail(body.email);
  }

  @Post(':id/verify-email')
  @HttpCode(204)
  async verifyEmail(@Param(zod(idParam)) p: z.infer<typeof idParam>, @Body(zod(verifyEmailSchema)) body: VerifyEmail): Promise<void> {
    await this.emails.verifyEmail(p.id, body.verificationString, body.isPendingEmail ?? false);
  }
}
