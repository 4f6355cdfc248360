import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { DEFAULT_NOTIFICATION_SETTINGS, REQUIRED_NOTIFICATION_SETTINGS, type User, type UserNotification, type UserRegistration } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { waitFor } from './helpers/runners';
import { mailBody, mailTo, smtpConfig, startSmtp, type SmtpSink } from './helpers/smtp-sink';
import { TestServer } from './helpers/test-server';

type List = { total: number; data: UserNotification[] };
const NOTIFS = '/api/v1/users/me/notifications';
const SETTINGS = '/api/v1/users/me/notification-settings';

/**
 * PeerTube's NEW_USER_REGISTRATION_REQUEST (20): a sign-up request that waits for approval tells the
 * administrators and moderators, each per their `newUserRegistration` setting (page and socket, e-mail),
 * and goes with the request when it is deleted.
 */
describe('notifications: a registration request tells moderators (type 20)', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let root: ApiClient;
  const users: Record<string, ApiClient> = {};
  let socket: Socket | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await TestServer.start({
      rates_limit: { enabled: false },
      transcoding: { enabled: false },
      signup: { enabled: true, requires_approval: true, requires_email_verification: false },
      smtp: smtpConfig(smtp),
    });
    root = await server.login();
    // mona: moderator, web + e-mail; otto: moderator, nothing; ursula: a plain user.
    for (const [name, role] of [['mona', 1], ['otto', 1], ['ursula', 2]] as const) {
      await root.request('POST', '/api/v1/users', { json: { username: name, password: 'password1', email: `${name}@example.org`, role } });
      users[name] = await server.login(name, 'password1');
    }
    const full = (newUserRegistration: number) => ({ ...Object.fromEntries(REQUIRED_NOTIFICATION_SETTINGS.map((k) => [k, DEFAULT_NOTIFICATION_SETTINGS[k]])), newUserRegistration });
    await users.mona.request('PUT', SETTINGS, { json: full(3) });
    await users.otto.request('PUT', SETTINGS, { json: full(0) });
  }, 120_000);
  afterAll(async () => {
    socket?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('in the page and over the socket for staff who chose web, by e-mail for those who chose it, nothing for the others; gone with the request', async () => {
    socket = connect(`${server.url}/user-notifications`, { transports: ['websocket'], reconnection: false, query: { accessToken: root.accessToken! } });
    await new Promise<void>((resolve, reject) => {
      socket!.on('connect', () => resolve());
      socket!.on('connect_error', reject);
    });
    const pushed: UserNotification[] = [];
    socket.on('new-notification', (n: UserNotification) => pushed.push(n));

    const reg = await server.api.request<UserRegistration>('POST', '/api/v1/users/registrations/request', {
      json: { username: 'wren', password: 'password1', email: 'wren@example.org', registrationReason: 'I film birds at dawn' },
    });
    // root (default setting 1: web): in the page, in PeerTube's shape, and pushed over the socket.
    const n = await waitFor(async () => (await root.get<List>(NOTIFS)).data.find((x) => x.type === 20));
    expect(n).toMatchObject({ type: 20, read: false, registration: { id: reg.id, username: 'wren' } });
    await waitFor(async () => pushed.some((p) => p.id === n.id), 5000, 50);
    expect(pushed.find((p) => p.id === n.id)).toEqual(n);
    // mona (3): the page and an e-mail that leads to the registrations page.
    await waitFor(async () => (await users.mona.get<List>(NOTIFS)).data.find((x) => x.type === 20 && x.registration?.id === reg.id));
    const mail = await waitFor(async () => mailTo(smtp.mails, 'mona@example.org').find((m) => /wants to register: wren/.test(m.raw)));
    expect(mailBody(mail)).toContain(`${server.url}/admin/registrations`);
    // otto (0) and ursula (not staff): nothing; root (1): no e-mail.
    expect((await users.otto.get<List>(NOTIFS)).total).toBe(0);
    expect((await users.ursula.get<List>(NOTIFS)).total).toBe(0);
    const rootEmail = (await root.get<User>('/api/v1/users/me')).email;
    expect(mailTo(smtp.mails, rootEmail).filter((m) => /wren/.test(m.raw))).toHaveLength(0);
    expect(mailTo(smtp.mails, 'otto@example.org')).toHaveLength(0);

    // Deleting the request takes its notifications with it (PeerTube's cascade).
    await root.request('DELETE', `/api/v1/users/registrations/${reg.id}`);
    expect((await root.get<List>(NOTIFS)).data.filter((x) => x.type === 20)).toHaveLength(0);
    expect((await users.mona.get<List>(NOTIFS)).data.filter((x) => x.type === 20)).toHaveLength(0);
  });
});
