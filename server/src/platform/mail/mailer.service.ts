import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { OnJob } from '../queues/job-definition';
import { QueueRegistry } from '../queues/queue-registry.service';
import { MAIL_JOBS } from './mail.jobs';

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
 * Features call `queue`: the mail becomes a job of the e-mail queue, retried while the SMTP server
 * is down, and the caller goes on (a moderation decision or a reset request stands without it).
 */
@Injectable()
export class Mailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private transport: Transporter | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
  ) {}

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

  /**
   * Queues a mail (nothing without SMTP). It never throws: what caused the mail (a block, a reset
   * request) stands even if Redis refused the job, which is logged.
   */
  async queue(mail: Mail): Promise<void> {
    if (!this.enabled) return;
    await this.queues.add(MAIL_JOBS.send, mail).catch((err: unknown) => logger.error({ err, to: mail.to, subject: mail.subject }, 'cannot queue an e-mail'));
  }

  /** The e-mail job: thrown when the server did not take it, so that bull tries again later. */
  @OnJob(MAIL_JOBS.send)
  async deliver(mail: Mail): Promise<void> {
    if (!this.enabled) return;
    if (!(await this.send(mail))) throw new Error('the SMTP server did not take the e-mail');
  }

  /** True when the SMTP server took the mail (the queue's job calls it; features call `queue`). */
  private async send(mail: Mail): Promise<boolean> {
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
