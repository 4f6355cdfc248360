import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { sendContactForm, type ContactForm } from '../../client/src/api/config';
import { expectProblem, TestServer } from './helpers/test-server';
import { waitFor } from './helpers/runners';
import { body, mailTo, smtpConfig, startSmtp, type SmtpSink } from './helpers/smtp-sink';

const form: ContactForm = { fromName: 'Visitor', fromEmail: 'visitor@example.org', subject: 'Hello admins', body: 'Could you add a category for birds?' };

describe('contact form (POST /api/v1/server/contact)', () => {
  let smtp: SmtpSink;
  let server: TestServer;
  let noMail: TestServer;
  let anon: ApiClient;

  beforeAll(async () => {
    smtp = await startSmtp();
    [server, noMail] = await Promise.all([
      TestServer.start({ smtp: smtpConfig(smtp), transcoding: { enabled: false } }),
      TestServer.start({ transcoding: { enabled: false } }),
    ]);
    anon = new ApiClient(server.url);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), noMail?.stop()]);
    await smtp?.close();
  });

  it('refuses bad input with 400 and sends nothing', async () => {
    for (const bad of [
      {},
      { ...form, fromEmail: 'not-an-address' },
      { ...form, fromName: '' },
      { ...form, subject: 'x'.repeat(121) },
      { ...form, body: 'hi' },
      { ...form, body: 'x'.repeat(5001) },
      { ...form, body: 'a\u0000b and more' },
    ]) {
      await expectProblem(sendContactForm(anon, bad as ContactForm), 400);
    }
    expect(smtp.mails).toHaveLength(0);
  });

  it('mails the administrators with the visitor as Reply-To; a second message within the hour is refused (403)', async () => {
    const root = await server.login();
    const me = await root.request<{ email: string }>('GET', '/api/v1/users/me');
    await sendContactForm(anon, form);
    await waitFor(async () => mailTo(smtp.mails, me.email).length === 1, 10_000);
    const raw = body(mailTo(smtp.mails, me.email)[0]);
    expect(raw).toMatch(/^Reply-To: visitor@example\.org\r?$/im);
    expect(raw).toMatch(/^Subject: .*Contact form: Hello admins/im);
    expect(raw).toContain('Could you add a category for birds?');
    await expectProblem(sendContactForm(anon, { ...form, subject: 'Again' }), 403, 'contact_form_already_sent');
    expect(smtp.mails).toHaveLength(1);
  });

  it('is refused with 409 when an administrator turns it off in the settings, and offered again when turned on', async () => {
    const root = await server.login();
    await root.request('PUT', '/api/v1/config/custom', { json: { contactForm: { enabled: false } } });
    expect((await anon.get<ServerConfig>('/api/v1/config')).contactForm?.enabled).toBe(false);
    await expectProblem(sendContactForm(anon, form), 409, 'contact_form_disabled');
    await root.request('PUT', '/api/v1/config/custom', { json: { contactForm: { enabled: true } } });
    expect((await anon.get<ServerConfig>('/api/v1/config')).contactForm?.enabled).toBe(true);
  });

  it('is refused with 409 where no SMTP server is configured', async () => {
    const cfg = await new ApiClient(noMail.url).get<ServerConfig>('/api/v1/config');
    expect(cfg.email?.enabled).toBe(false);
    await expectProblem(sendContactForm(new ApiClient(noMail.url), form), 409, 'email_not_configured');
  });
});
