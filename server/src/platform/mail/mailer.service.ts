import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Where answers go when not to the sender (a contact form's visitor). */
  replyTo?: string;
}

/**
 * Outgoing e-mail through the SMTP server of `smtp.*` (PeerTube's keys). Without `smtp.hostname`
 * nothing is sent and `enabled` is false, so callers can say "no mail" instead of promising one.
 * A mail that cannot be sent is logged, never thrown: a moderation decision stands without it.
 */
@Injectable()
export class Mailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private transport: Transporter | null = null;

  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return !!this.config.smtp.hostname;
  }

  private transporter(): Transporter {
    const s = this.config.smtp;
    this.transport ??= nodemailer.createTransport({
      host: s.hostname!,
      port: s.port,
      secure: s.tls,
      ignoreTLS: s.disable_starttls,
      auth: s.username ? { user: s.username, pass: s.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return this.transport;
  }

  /** True when the SMTP server took the mail. */
  async send(mail: Mail): Promise<boolean> {
    if (!this.enabled) return false;
    try {
      const from = `"${this.config.instance.name.replace(/["\\\r\n]/g, '')}" <${this.config.smtp.from_address}>`;
      await this.transporter().sendMail({ from, to: mail.to, replyTo: mail.replyTo, subject: `[${this.config.instance.name}] ${mail.subject}`, text: mail.text });
      return true;
    } catch (err) {
      logger.warn({ err, to: mail.to, subject: mail.subject }, 'cannot send e-mail');
      return false;
    }
  }

  /** One line at boot so an admin knows why "forgot password" and e-mail verification are missing. */
  onApplicationBootstrap(): void {
    if (!this.enabled) {
      logger.warn('no SMTP server configured (smtp.hostname): no e-mail is sent, password reset and e-mail verification are off');
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
