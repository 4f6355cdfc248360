import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
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
import { consumeSecret, issueSecret } from '../../common/one-time-secrets';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { Mailer } from '../../platform/mail/mailer.service';
import { hashPassword } from '../auth/auth.service';
import { UsersService } from '../users/users.service';
import { RegistrationRepository, type RegistrationRow } from './registration.repository';

/** PeerTube's EMAIL_VERIFY_LIFETIME: a registration's verification link lives one hour. */
const VERIFY_LIFETIME_MS = 60 * 60_000;

/**
 * Sign-up that needs a moderator's approval (PeerTube 5.1, `signup.requires_approval`): the request
 * is stored with the password already hashed; accepting creates the user, account and channel as an
 * open sign-up would; the requester is told the outcome by mail when SMTP is configured. With
 * `signup.requires_email_verification` the request's address is verified first (a mailed link), and
 * the user created on acceptance inherits whether it was.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly repo: RegistrationRepository,
    private readonly users: UsersService,
    private readonly mailer: Mailer,
    private readonly events: EventBus,
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
    if (s.requires_email_verification) await this.sendVerifyEmail(row);
    // Moderators are told at once, as PeerTube does (whether the e-mail is verified yet or not).
    this.events.emit('user.registration-requested', { registrationId: row.id, username: row.username });
    return this.format(row);
  }

  private secretKey(id: number): string {
    return redisKey(this.config, 'verify-registration-email', id);
  }

  private async sendVerifyEmail(row: RegistrationRow): Promise<void> {
    if (!this.mailer.enabled) return;
    const secret = await issueSecret(this.redis, this.secretKey(row.id), VERIFY_LIFETIME_MS);
    const link = `${this.config.webserverUrl}/verify-account/email?registrationId=${row.id}&verificationString=${secret}`;
    await this.mailer.queue({
      to: row.email,
      subject: 'Verify your e-mail address',
      text: `Please confirm that ${row.email} is your e-mail address for your request to join ${this.config.instance.name} as ${row.username} ` +
        `by following this link within an hour:\n${link}\n`,
    });
  }

  /** 204 whatever the address (nothing is learnt from it); mails a new link to an unverified request. */
  async askSendVerifyEmail(email: string): Promise<void> {
    const row = await this.repo.findByEmail(email);
    if (!row || row.email_verified || row.state !== UserRegistrationState.PENDING) return;
    await this.sendVerifyEmail(row);
  }

  /** POST /users/registrations/:id/verify-email: 404 unknown request, 403 wrong, used or expired link. */
  async verifyEmail(id: number, secret: string): Promise<void> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound('Registration not found', ErrorCode.REGISTRATION_NOT_FOUND);
    if (!(await consumeSecret(this.redis, this.secretKey(id), secret))) {
      throw forbidden('Invalid verification string.', ErrorCode.INVALID_VERIFICATION_STRING);
    }
    await this.repo.markEmailVerified(id);
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
      await this.mailer.queue({
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
      await this.mailer.queue({
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
