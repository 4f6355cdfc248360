import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  askEmailSchema,
  listRegistrationsQuery,
  registrationModerationSchema,
  registrationRequestSchema,
  type AskEmail,
  type ListRegistrationsQuery,
  type RegistrationModeration,
  type RegistrationRequest,
  type ResultList,
  type UserRegistration,
} from '@flotilla/shared';
import { verifyRegistrationEmailSchema, type VerifyRegistrationEmail } from '@flotilla/shared';
import { z } from 'zod';
import { looseInt } from '@flotilla/shared';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { RegistrationsService } from './registrations.service';

const registrationIdParam = z.object({ registrationId: looseInt.pipe(z.number().int().min(1).max(2147483647)) });
type RegistrationIdParam = z.infer<typeof registrationIdParam>;

/**
 * PeerTube's `/api/v1/users/registrations`. Registered before the users controller (app module
 * order), so that `/users/registrations` is not read as `/users/:id`.
 */
@Controller('api/v1/users/registrations')
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Post('request')
  @HttpCode(200)
  request(@Body(zod(registrationRequestSchema)) body: RegistrationRequest): Promise<UserRegistration> {
    return this.registrations.request(body);
  }

  @Post('ask-send-verify-email')
  @HttpCode(204)
  async askSendVerifyEmail(@Body(zod(askEmailSchema)) body: AskEmail): Promise<void> {
    await this.registrations.askSendVerifyEmail(body.email);
  }

  @Post(':registrationId/verify-email')
  @HttpCode(204)
  async verifyEmail(@Param(zod(registrationIdParam)) p: RegistrationIdParam, @Body(zod(verifyRegistrationEmailSchema)) body: VerifyRegistrationEmail): Promise<void> {
    await this.registrations.verifyEmail(p.registrationId, body.verificationString);
  }

  @Get()
  @Authenticated(UserRight.MANAGE_REGISTRATIONS)
  list(@Query(zod(listRegistrationsQuery)) q: ListRegistrationsQuery): Promise<ResultList<UserRegistration>> {
    return this.registrations.list(q);
  }

  @Post(':registrationId/accept')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_REGISTRATIONS)
  async accept(@Param(zod(registrationIdParam)) p: RegistrationIdParam, @Body(zod(registrationModerationSchema)) body: RegistrationModeration): Promise<void> {
    await this.registrations.accept(p.registrationId, body);
  }

  @Post(':registrationId/reject')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_REGISTRATIONS)
  async reject(@Param(zod(registrationIdParam)) p: RegistrationIdParam, @Body(zod(registrationModerationSchema)) body: RegistrationModeration): Promise<void> {
    await this.registrations.reject(p.registrationId, body);
  }

  @Delete(':registrationId')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_REGISTRATIONS)
  async delete(@Param(zod(registrationIdParam)) p: RegistrationIdParam): Promise<void> {
    await this.registrations.delete(p.registrationId);
  }
}
