import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { col, fn, where } from 'sequelize';
import { ErrorCode } from '@flotilla/shared';
import { conflict, forbidden, notFound } from '../../common/app-error';
import { consumeSecret, issueSecret } from '../../common/one-time-secrets';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { Mailer } from '../../platform/mail/mailer.service';
import { AuthService, hashPassword } from '../auth/auth.service';
import { UserModel } from './user.model';

/** PeerTube's lifetimes (USER_PASSWORD_RESET_LIFETIME, EMAIL_VERIFY_LIFETIME): one hour each. */
export const PASSWORD_RESET_LIFETIME_MS = 60 * 60_000;
export const EMAIL_VERIFY_LIFETIME_MS = 60 * 60_000;

type Purpose = 'reset-password' | 'verify-email';

/**
 * The secrets behind "forgot password" and e-mail verification (common/one-time-secrets: hashed in
 * Redis under a TTL, consumed once). The secret goes out only in the mailed link.
 */
@Injectable()
export class UserEmailsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly mailer: Mailer,
    private readonly auth: AuthService,
  ) {}

  /** False without SMTP: nothing can be confirmed by mail, so callers apply changes directly. */
  get canMail(): boolean {
    return this.mailer.enabled;
  }

  private key(purpose: Purpose, userId: number): string {
    return redisKey(this.config, purpose, userId);
  }

  private issue(purpose: Purpose, userId: number, ttlMs: number): Promise<string> {
    return issueSecret(this.redis, this.key(purpose, userId), ttlMs);
  }

  /** 403 unless `secret` is the live one for this user and purpose; it cannot be used again after. */
  private async consume(purpose: Purpose, userId: number, secret: string): Promise<void> {
    if (!(await consumeSecret(this.redis, this.key(purpose, userId), secret))) {
      throw forbidden('Invalid verification string.', ErrorCode.INVALID_VERIFICATION_STRING);
    }
  }

  private findByEmail(email: string): Promise<UserModel | null> {
    return UserModel.findOne({ where: where(fn('lower', col('email')), email.toLowerCase()) });
  }

  private async findUser(id: number): Promise<UserModel> {
    const user = await UserModel.findByPk(id);
    if (!user) throw notFound(`User ${id} not found`, ErrorCode.USER_NOT_FOUND);
    return user;
  }

  /**
   * Always answers the same way (204) whether or not the address is known, so the endpoint does not
   * tell who has an account; the mail goes to the e-mail queue (retried while SMTP is down), so a slow or dead SMTP server
   * neither delays the answer nor reveals the difference.
   */
  async askResetPassword(email: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (!user || !this.mailer.enabled) return;
    const secret = await this.issue('reset-password', user.id, PASSWORD_RESET_LIFETIME_MS);
    const link = `${this.config.webserverUrl}/reset-password?userId=${user.id}&verificationString=${secret}`;
    await this.mailer.queue({
      to: user.email,
      subject: 'Reset your account password',
      text: `A reset of the password of your account ${user.username} was requested.\n\n` +
        `Follow this link within an hour to choose a new password:\n${link}\n\n` +
        'If you did not ask for it, ignore this mail: your password stays as it is.\n',
    });
  }

  async resetPassword(userId: number, secret: string, password: string): Promise<void> {
    const user = await this.findUser(userId);
    await this.consume('reset-password', user.id, secret);
    user.password = await hashPassword(password);
    await user.save();
    // Whoever held the old password may hold a session too.
    await this.auth.revokeAllFor(user.id);
  }

  /** Mails a verification link for the account's address, or for `pendingEmail` when it is an e-mail change. */
  async sendVerifyEmail(user: UserModel, pending = false): Promise<void> {
    if (!this.mailer.enabled) return;
    const secret = await this.issue('verify-email', user.id, EMAIL_VERIFY_LIFETIME_MS);
    const to = pending ? user.pendingEmail! : user.email;
    const link = `${this.config.webserverUrl}/verify-account/email?userId=${user.id}&verificationString=${secret}` +
      (pending ? '&isPendingEmail=true' : '');
    await this.mailer.queue({
      to,
      subject: 'Verify your e-mail address',
      text: `Please confirm that ${to} is the e-mail address of your account ${user.username} ` +
        `by following this link within an hour:\n${link}\n`,
    });
  }

  /** Like the reset request: 204 whatever the address, so nothing is learnt from it. */
  async askSendVerifyEmail(email: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (!user || user.emailVerified) return;
    await this.sendVerifyEmail(user);
  }

  async verifyEmail(userId: number, secret: string, isPendingEmail: boolean): Promise<void> {
    const user = await this.findUser(userId);
    if (isPendingEmail && !user.pendingEmail) {
      throw forbidden('This user has no pending e-mail change.', ErrorCode.INVALID_VERIFICATION_STRING);
    }
    await this.consume('verify-email', user.id, secret);
    if (isPendingEmail) {
      const taken = await this.findByEmail(user.pendingEmail!);
      if (taken && taken.id !== user.id) {
        throw conflict('User with this email already exists', ErrorCode.EMAIL_TAKEN);
      }
      user.email = user.pendingEmail!;
      user.pendingEmail = null;
    }
    user.emailVerified = true;
    await user.save();
  }
}
