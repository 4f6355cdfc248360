import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import type { ServerConfig, User } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { acceptRegistration, listRegistrations, requestRegistration } from '../../client/src/api/admin';
import { askResetPassword, askSendRegistrationVerifyEmail, askSendVerifyEmail, registerUser, resetPassword, updateMe, verifyEmail, verifyRegistrationEmail } from '../../client/src/api/users';
import { expectProblem, freePort, TestServer } from './helpers/test-server';
import { waitFor } from './helpers/runners';
import { body, mailTo, smtpConfig, startSmtp, type SmtpSink } from './helpers/smtp-sink';

/** The link of the newest mail to `to` whose path starts with `path`, once it has arrived. */
async function linkIn(smtp: SmtpSink, to: string, path: string, after = 0, timeoutMs = 20_000): Promise<URL> {
  const find = () => mailTo(smtp.mails, to).slice(after).map(body).join('\n').match(new RegExp(`https?://[^\\s]+${path}(\\?[^\\s]+|\\b)`, 'g'));
  await waitFor(async () => !!find(), timeoutMs, 250);
  const links = find()!;
  return new URL(links[links.length - 1]);
}

describe('e-mail flows: password reset, e-mail verification, e-mail change', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let root: ApiClient;
  let anon: ApiClient;
  let redis: IORedis;

  beforeAll(async () => {
    smtp = await startSmtp();
    redis = new IORedis({ host: '127.0.0.1', port: 6379 });
    server = await TestServer.start({
      signup: { enabled: true, requires_approval: false, requires_email_verification: true },
      rates_limit: { signup: { max: 50 }, api: { max: 2000 }, login: { max: 200 }, ask_send_email: { max: 100 } },
      smtp: smtpConfig(smtp),
    });
    root = await server.login();
    anon = new ApiClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    redis?.disconnect();
  });

  const createUser = async (username: string) => {
    const r = await root.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: { username, password: 'password1', email: `${username}@example.org`, role: 2 } });
    return r.user.id;
  };

  it('tells the client that e-mail works', async () => {
    expect((await anon.get<ServerConfig>('/api/v1/config')).email.enabled).toBe(true);
  });

  it('resets a password from the mailed link, once only; old sessions end', async () => {
    const id = await createUser('forgetful');
    const session = await server.login('forgetful', 'password1');
    await askResetPassword(anon, 'Forgetful@example.org');
    const link = await linkIn(smtp, 'forgetful@example.org', '/reset-password');
    expect(link.searchParams.get('userId')).toBe(String(id));
    const secret = link.searchParams.get('verificationString')!;
    // Neither the key nor its value in Redis is the secret itself.
    const stored = await redis.get(`${server.redisPrefix}:reset-password:${id}`);
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(secret);

    await expectProblem(resetPassword(anon, id, 'not-the-secret', 'brand-new-pass'), 403, 'invalid_verification_string');
    await resetPassword(anon, id, secret, 'brand-new-pass');
    await expectProblem(session.get('/api/v1/users/me'), 401);
    await expect(server.login('forgetful', 'password1')).rejects.toMatchObject({ status: 400 });
    expect((await (await server.login('forgetful', 'brand-new-pass')).get<User>('/api/v1/users/me')).username).toBe('forgetful');
    // The same link a second time.
    await expectProblem(resetPassword(anon, id, secret, 'another-pass-1'), 403, 'invalid_verification_string');
  });

  it('refuses an expired reset link', async () => {
    const id = await createUser('slowpoke');
    const before = mailTo(smtp.mails, 'slowpoke@example.org').length;
    await askResetPassword(anon, 'slowpoke@example.org');
    const link = await linkIn(smtp, 'slowpoke@example.org', '/reset-password', before);
    const key = `${server.redisPrefix}:reset-password:${id}`;
    const ttl = await redis.pttl(key);
    // PeerTube's lifetime: one hour.
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    // Let the hour pass: Redis expires the key itself.
    await redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 50));
    await expectProblem(resetPassword(anon, id, link.searchParams.get('verificationString')!, 'too-late-pass'), 403, 'invalid_verification_string');
    expect((await server.login('slowpoke', 'password1')).baseUrl).toBe(server.url);
  });

  it('answers 204 for an unknown address and mails nothing; bad bodies and ids are refused', async () => {
    const count = smtp.mails.length;
    await askResetPassword(anon, 'nobody@example.org');
    await askSendVerifyEmail(anon, 'nobody@example.org');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.length).toBe(count);
    await expectProblem(anon.request('POST', '/api/v1/users/ask-reset-password', { json: { email: 'not an address' } }), 400, 'invalid_params');
    await expectProblem(anon.request('POST', '/api/v1/users/ask-reset-password', { json: {} }), 400, 'invalid_params');
    await expectProblem(anon.request('POST', '/api/v1/users/1/reset-password', { json: { verificationString: 'x' } }), 400, 'invalid_params');
    await expectProblem(anon.request('POST', '/api/v1/users/1/reset-password', { json: { verificationString: 'x', password: 'ab' } }), 400, 'invalid_params');
    await expectProblem(resetPassword(anon, 999999, 'x', 'long-enough-1'), 404, 'user_not_found');
    await expectProblem(anon.request('POST', '/api/v1/users/abc/verify-email', { json: { verificationString: 'x' } }), 400, 'invalid_params');
    await expectProblem(verifyEmail(anon, 999999, 'x'), 404, 'user_not_found');
    await expectProblem(anon.request('POST', '/api/v1/users/1/verify-email', { json: { verificationString: 'x', isPendingEmail: 'maybe' } }), 400, 'invalid_params');
  });

  it('signup requiring verification: login refused until the mailed link is followed', async () => {
    await registerUser(anon, { username: 'newbie', password: 'password1', email: 'newbie@example.org' });
    const err = await server.login('newbie', 'password1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'access_denied' });
    expect((err as Error).message).toMatch(/not verified/);
    const first = await linkIn(smtp, 'newbie@example.org', '/verify-account/email');
    // Asking again mails a new link; the first one stops working.
    const before = mailTo(smtp.mails, 'newbie@example.org').length;
    await askSendVerifyEmail(anon, 'newbie@example.org');
    const link = await linkIn(smtp, 'newbie@example.org', '/verify-account/email', before);
    const id = Number(link.searchParams.get('userId'));
    await expectProblem(verifyEmail(anon, id, first.searchParams.get('verificationString')!), 403, 'invalid_verification_string');
    await verifyEmail(anon, id, link.searchParams.get('verificationString')!);
    const me = await (await server.login('newbie', 'password1')).get<User>('/api/v1/users/me');
    expect(me.emailVerified).toBe(true);
    await expectProblem(verifyEmail(anon, id, link.searchParams.get('verificationString')!), 403, 'invalid_verification_string');
  });

  it('an e-mail change stays pending until the new address is verified', async () => {
    const id = await createUser('mover');
    const mover = await server.login('mover', 'password1');
    await expectProblem(updateMe(mover, { email: 'moved@example.org', currentPassword: 'wrong-password' }), 401, 'wrong_current_password');
    await expectProblem(updateMe(mover, { email: 'forgetful@example.org', currentPassword: 'password1' }), 409, 'email_already_exists');
    await updateMe(mover, { email: 'moved@example.org', currentPassword: 'password1' });
    let me = await mover.get<User>('/api/v1/users/me');
    expect([me.email, me.pendingEmail]).toEqual(['mover@example.org', 'moved@example.org']);
    const link = await linkIn(smtp, 'moved@example.org', '/verify-account/email');
    expect(link.searchParams.get('isPendingEmail')).toBe('true');
    const secret = link.searchParams.get('verificationString')!;
    await expectProblem(verifyEmail(anon, id, 'wrong'), 403, 'invalid_verification_string');
    await verifyEmail(anon, id, secret, true);
    me = await mover.get<User>('/api/v1/users/me');
    expect([me.email, me.pendingEmail, me.emailVerified]).toEqual(['moved@example.org', null, true]);
    // No pending change left to confirm.
    await expectProblem(verifyEmail(anon, id, secret, true), 403, 'invalid_verification_string');
  });

  it('a blocked user is told so, with the reason, at login', async () => {
    const id = await createUser('rowdy');
    await root.request('POST', `/api/v1/users/${id}/block`, { json: { reason: 'flooding comments' } });
    const err = await server.login('rowdy', 'password1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'access_denied' });
    expect((err as Error).message).toMatch(/blocked.*flooding comments/);
  });

  it('with the SMTP server down, the requests still answer, nothing else fails, and the mails leave from the queue once it is up', async () => {
    const port = await freePort();
    const down = await TestServer.start({ smtp: { ...smtpConfig(smtp), port } });
    let late: SmtpSink | null = null;
    try {
      const api = new ApiClient(down.url);
      const admin = await down.login();
      const { user } = await admin.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: { username: 'offline', password: 'password1', email: 'offline@example.org', role: 2 } });
      await askResetPassword(api, 'offline@example.org');
      const offline = await down.login('offline', 'password1');
      await updateMe(offline, { email: 'offline2@example.org', currentPassword: 'password1' });
      expect((await offline.get<User>('/api/v1/users/me')).pendingEmail).toBe('offline2@example.org');
      // The SMTP server comes up: the queued mails are tried again and arrive.
      late = await startSmtp(port);
      const reset = await linkIn(late, 'offline@example.org', '/reset-password', 0, 90_000);
      const verify = await linkIn(late, 'offline2@example.org', '/verify-account/email', 0, 90_000);
      await resetPassword(api, user.id, reset.searchParams.get('verificationString')!, 'after-the-outage');
      await verifyEmail(api, user.id, verify.searchParams.get('verificationString')!, true);
      const me = await (await down.login('offline', 'after-the-outage')).get<User>('/api/v1/users/me');
      expect([me.email, me.pendingEmail]).toEqual(['offline2@example.org', null]);
      expect(down.output).toMatch(/cannot send e-mail/);
    } finally {
      await down.stop();
      await late?.close();
    }
  }, 150_000);

  it('a registration request with e-mail verification: the mailed link verifies it once, and the accepted user is verified', async () => {
    const srv = await TestServer.start({
      signup: { enabled: true, requires_approval: true, requires_email_verification: true },
      rates_limit: { signup: { max: 50 }, api: { max: 2000 }, login: { max: 200 }, ask_send_email: { max: 100 } },
      smtp: smtpConfig(smtp),
    });
    try {
      const api = new ApiClient(srv.url);
      const reg = await requestRegistration(api, { username: 'applicant', password: 'password1', email: 'applicant@example.org', registrationReason: 'I make films' });
      expect(reg.emailVerified).toBe(false);
      const first = await linkIn(smtp, 'applicant@example.org', '/verify-account/email');
      expect(first.searchParams.get('registrationId')).toBe(String(reg.id));
      expect(first.searchParams.get('userId')).toBeNull();
      // Asking again mails a new link; the first one stops working. An unknown address: 204, no mail.
      const before = mailTo(smtp.mails, 'applicant@example.org').length;
      await askSendRegistrationVerifyEmail(api, 'applicant@example.org');
      await askSendRegistrationVerifyEmail(api, 'nobody-registered@example.org');
      const link = await linkIn(smtp, 'applicant@example.org', '/verify-account/email', before);
      const secret = link.searchParams.get('verificationString')!;
      await expectProblem(verifyRegistrationEmail(api, reg.id, first.searchParams.get('verificationString')!), 403, 'invalid_verification_string');
      await expectProblem(verifyRegistrationEmail(api, reg.id, 'not-the-secret'), 403, 'invalid_verification_string');
      await expectProblem(verifyRegistrationEmail(api, 999999, secret), 404, 'registration_not_found');
      await expectProblem(api.request('POST', `/api/v1/users/registrations/${reg.id}/verify-email`, { json: {} }), 400, 'invalid_params');
      await expectProblem(api.request('POST', '/api/v1/users/registrations/abc/verify-email', { json: { verificationString: secret } }), 400, 'invalid_params');
      await expectProblem(api.request('POST', '/api/v1/users/registrations/ask-send-verify-email', { json: { email: 'not an address' } }), 400, 'invalid_params');
      const root = await srv.login();
      expect((await listRegistrations(root)).data.find((r) => r.id === reg.id)?.emailVerified).toBe(false);
      await verifyRegistrationEmail(api, reg.id, secret);
      // Used once: the same link again is refused.
      await expectProblem(verifyRegistrationEmail(api, reg.id, secret), 403, 'invalid_verification_string');
      expect((await listRegistrations(root)).data.find((r) => r.id === reg.id)?.emailVerified).toBe(true);
      await acceptRegistration(root, reg.id, { moderationResponse: 'Welcome aboard' });
      const me = await (await srv.login('applicant', 'password1')).get<User>('/api/v1/users/me');
      expect(me.emailVerified).toBe(true);
      await linkIn(smtp, 'applicant@example.org', '/login');
    } finally {
      await srv.stop();
    }
  }, 120_000);

  it('without SMTP: said at boot, hidden from the client, an e-mail change applies at once; mail requests are rate limited', async () => {
    const bare = await TestServer.start({});
    try {
      expect(bare.output).toMatch(/no SMTP server configured/);
      expect((await new ApiClient(bare.url).get<ServerConfig>('/api/v1/config')).email.enabled).toBe(false);
      const admin = await bare.login();
      await updateMe(admin, { email: 'root-new@example.org', currentPassword: 'root-test-password' });
      const me = await admin.get<User>('/api/v1/users/me');
      expect([me.email, me.pendingEmail]).toEqual(['root-new@example.org', null]);
      // PeerTube's ask_send_email limit: 3 mail requests per IP in 5 minutes, then 429.
      const anonBare = new ApiClient(bare.url);
      for (let i = 0; i < 3; i++) await askResetPassword(anonBare, `someone${i}@example.org`);
      await expectProblem(askSendVerifyEmail(anonBare, 'someone@example.org'), 429, 'too_many_requests');
    } finally {
      await bare.stop();
    }
  });
});
