import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  USER_REGISTRATION_STATE_LABELS,
  UserRegistrationState,
  UserRole,
  type ListRegistrationsQuery,
  type RegistrationModeration,
  type RegistrationRequest,
  type ResultList,
  type UserRegistration,
} from '@flotilla/shared';
import { AppError, conflict, forbidden, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { Mailer } from '../../platform/mail/mailer.service';
import { hashPassword } from '../auth/auth.service';
import { UsersService } from '../users/users.service';
import { RegistrationRepository, type RegistrationRow } from './registration.repository';

/**
 * Sign-up that needs a moderator's approval (PeerTube 5.1, `signup.requires_approval`): the request
 * is stored with the password already hashed; accepting creates the user, account and channel as an
 * open sign-up would; the requester is told the outcome by mail when SMTP is configured.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: RegistrationRepository,
    private readonly users: UsersService,
    private readonly mailer: Mailer,
  ) {}

  async request(body: RegistrationRequest): Promise<UserRegistration> {
    const s = this.config.signup;
    if (!s.enabled) throw forbidden('User registration is not enabled', ErrorCode.SIGNUP_DISABLED);
    if (!s.requires_approval) {
      throw new AppError(400, ErrorCode.SIGNUP_APPROVAL_NOT_ENABLED, 'Sign-up does not need approval here: use /api/v1/users/register');
    }
    if (s.limit !== -1 && (await this.users.list({ start: 0, count: 0 })).total >= s.limit) {
      throw forbidden('User limit is reached on this instance', ErrorCode.SIGNUP_DISABLED);
    }
    const channel = body.channel?.name ?? null;
    if (channel === body.username) throw conflict('The channel name must differ from the username', ErrorCode.ACTOR_NAME_TAKEN);
    await this.users.assertNamesFree(body.username, body.email, channel ?? undefined);
    const clash = await this.repo.findClash(body.username, body.email, channel);
    if (clash) {
      const what = clash.username.toLowerCase() === body.username.toLowerCase() ? 'username' : clash.email.toLowerCase() === body.email.toLowerCase() ? 'e-mail' : 'channel name';
      throw conflict(`A registration request with this ${what} already exists`, what === 'e-mail' ? ErrorCode.EMAIL_TAKEN : what === 'username' ? ErrorCode.USERNAME_TAKEN : ErrorCode.ACTOR_NAME_TAKEN);
    }
    const row = await this.repo.create({
      registration_reason: body.registrationReason,
      password: await hashPassword(body.password),
      username: body.username,
      email: body.email,
      account_display_name: body.displayName ?? body.username,
      channel_handle: channel,
      channel_display_name: body.channel?.displayName ?? null,
    });
    return this.format(row);
  }

  async list(q: ListRegistrationsQuery): Promise<ResultList<UserRegistration>> {
    const { rows, total } = await this.repo.list(q);
    return { total, data: rows.map((r) => this.format(r)) };
  }

  private async pending(id: number): Promise<RegistrationRow> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound('Registration not found', ErrorCode.REGISTRATION_NOT_FOUND);
    if (row.state !== UserRegistrationState.PENDING) throw conflict('This registration was already moderated', ErrorCode.REGISTRATION_ALREADY_MODERATED);
    return row;
  }

  async accept(id: number, body: RegistrationModeration): Promise<void> {
    const row = await this.pending(id);
    const user = await this.users.create({
      username: row.username,
      password: '',
      passwordHash: row.password,
      email: row.email,
      role: UserRole.USER,
      displayName: row.account_display_name,
      channel: row.channel_handle ? { name: row.channel_handle, displayName: row.channel_display_name ?? row.channel_handle } : undefined,
      emailVerified: row.email_verified,
    });
    if (!(await this.repo.decide(id, UserRegistrationState.ACCEPTED, body.moderationResponse, user.id))) {
      throw conflict('This registration was already moderated', ErrorCode.REGISTRATION_ALREADY_MODERATED);
    }
    if (!body.preventEmailDelivery) {
      await this.mailer.send({
        to: row.email,
        subject: 'Your registration request was accepted',
        text: `Your request to join ${this.config.instance.name} as ${row.username} was accepted. You can log in at ${this.config.webserverUrl}/login.\n\nModerator's message: ${body.moderationResponse}\n`,
      });
    }
  }

  async reject(id: number, body: RegistrationModeration): Promise<void> {
    const row = await this.pending(id);
    if (!(await this.repo.decide(id, UserRegistrationState.REJECTED, body.moderationResponse, null))) {
      throw conflict('This registration was already moderated', ErrorCode.REGISTRATION_ALREADY_MODERATED);
    }
    if (!body.preventEmailDelivery) {
      await this.mailer.send({
        to: row.email,
        subject: 'Your registration request was rejected',
        text: `Your request to join ${this.config.instance.name} as ${row.username} was rejected.\n\nReason: ${body.moderationResponse}\n`,
      });
    }
  }

  async delete(id: number): Promise<void> {
    if (!(await this.repo.delete(id))) throw notFound('Registration not found', ErrorCode.REGISTRATION_NOT_FOUND);
  }

  private format(r: RegistrationRow): UserRegistration {
    const state = r.state as UserRegistrationState;
    return {
      id: r.id,
      state: { id: state, label: USER_REGISTRATION_STATE_LABELS[state] },
      registrationReason: r.registration_reason,
      moderationResponse: r.moderation_response,
      username: r.username,
      email: r.email,
      emailVerified: r.email_verified,
      accountDisplayName: r.account_display_name,
      channelHandle: r.channel_handle,
      channelDisplayName: r.channel_display_name,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      user: r.user_id ? { id: r.user_id } : null,
    };
  }
}
