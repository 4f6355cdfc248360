import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type ContactForm } from '@flotilla/shared';
import type { Redis } from 'ioredis';
import { AppError, conflict } from '../../common/app-error';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { Mailer } from '../../platform/mail/mailer.service';
import { UsersService } from '../users/users.service';

/** One message per visitor address per hour, as PeerTube's contact form. */
const ONE_PER_SECONDS = 60 * 60;

/**
 * PeerTube's contact form: a visitor's message to the administrators, by e-mail with the visitor's
 * address as Reply-To, through the e-mail queue. Refused (409) when the form or e-mail is off, and
 * (403) when the same address sent one within the hour.
 */
@Injectable()
export class ContactService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly mailer: Mailer,
    private readonly users: UsersService,
  ) {}

  async send(form: ContactForm, ip: string): Promise<void> {
    if (!this.config.contact_form.enabled) throw conflict('Contact form is not enabled on this instance', ErrorCode.CONTACT_FORM_DISABLED);
    if (!this.mailer.enabled) throw conflict('E-mail is not configured on this instance (smtp.hostname)', ErrorCode.EMAIL_NOT_CONFIGURED);
    const key = redisKey(this.config, 'contact-form', ip);
    if ((await this.redis.set(key, '1', 'EX', ONE_PER_SECONDS, 'NX')) !== 'OK') {
      throw new AppError(403, ErrorCode.CONTACT_FORM_ALREADY_SENT, 'You already sent a message with the contact form recently');
    }
    const to = this.config.admin.email ? [this.config.admin.email] : await this.users.administratorEmails();
    const text = `${form.fromName} <${form.fromEmail}> wrote with the contact form of ${this.config.webserverUrl}:\n\n${form.body}\n`;
    // Through the e-mail queue: retried while the SMTP server is down.
    for (const address of to) await this.mailer.queue({ to: address, replyTo: form.fromEmail, subject: `Contact form: ${form.subject}`, text });
  }
}
