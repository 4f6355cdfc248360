import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { col, fn, where } from 'sequelize';
import { ErrorCode } from '@flotilla/shared';
import { conflict, forbidden, notFound } from '../../common/app-error';
import { randomToken, sha256Hex } from '../../common/crypto';
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
 * The secrets behind "forgot password" and e-mail verification. The secret goes out only in the
 * mailed link; Redis keeps its SHA-256 under a TTL, so a leaked Redis dump opens nothing and an
 * expired link is simply gone. A secret is consumed by the DEL that removes it: of two concurrent
 * uses only the one whose DEL removed the key succeeds.
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

  private async issue(purpose: Purpose, userId: number, ttlMs: number): Promise<string> {
    const secret = randomToken(32);
    await this.redis.set(this.key(purpose, userId), sha256Hex(secret), 'PX', ttlMs);
    return secret;
  }

  /** 403 unless `secret` is the live one for this user and purpose; it cannot be used again after. */
  private async consume(purpose: Purpose, userId: number, secret: string): Promise<void> {
    const key = this.key(purpose, userId);
    const stored = await this.redis.get(key);
    if (!stored || stored !== sha256Hex(secret) || (await this.redis.del(key)) !== 1) {
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
   * tell who has an account; the mail goes out in the background so a slow or dead SMTP server
   * neither delays the answer nor reveals the difference.
   */
  async askResetPassword(email: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (!user || !this.mailer.enabled) return;
    const secret = await this.issue('reset-password', user.id, PASSWORD_RESET_LIFETIME_MS);
    const link = `${this.config.webserverUrl}/reset-password?userId=${user.id}&verificationString=${secret}`;
    void this.mailer.send({
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
    void this.mailer.send({
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
