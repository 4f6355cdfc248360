/// <reference types="node" />
/**
 * Issue 13's e-mail pages in headless Chromium against the real server and a real SMTP server
 * (run by email-pages.test.ts in a loopback-only namespace): a user who forgot her password asks
 * for a link on the login page, opens the link from the mail received, chooses a new password and
 * logs in with it; the link does not work twice; a blocked user is told why at login. axe-core
 * audits the new pages in the light and the dark theme.
 */
import type { Page } from 'playwright-core';
import { body, mailTo, smtpConfig, startSmtp, type SmtpSink } from '../../../server/test/helpers/smtp-sink';
import { axeViolations, type AxeViolation } from './axe';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { until, Viewer } from './viewers';

export interface EmailPagesResult {
  error: string | null;
  checks: Record<string, boolean>;
  a11y: Record<string, AxeViolation[]>;
  notes: string[];
  pageErrors: string[];
  ms: number;
}

const result: EmailPagesResult = { error: null, checks: {}, a11y: {}, notes: [], pageErrors: [], ms: 0 };
const check = (name: string, ok: boolean) => (result.checks[name] = ok);
const ok = (p: Promise<unknown>) => p.then(() => true, () => false);
const visible = (page: Page, sel: string, timeout = 10_000) => ok(page.waitForSelector(sel, { timeout }));
const textIn = (page: Page, sel: string, re: RegExp, timeout = 10_000) =>
  ok(page.waitForFunction(([s, r]) => [...document.querySelectorAll(s)].some((e) => new RegExp(r).test(e.textContent ?? '')), [sel, re.source] as const, { timeout }));

/** The page as it is, in the light then the dark theme (the saved choice, applied at load as for a user). */
async function audit(page: Page, label: string, ready: string): Promise<void> {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => localStorage.setItem('flotilla.theme', t), theme);
    await page.reload();
    await page.waitForSelector(ready, { timeout: 15_000 });
    await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
    result.a11y[`${label} (${theme})`] = await axeViolations(page, label);
  }
  await page.evaluate(() => localStorage.removeItem('flotilla.theme'));
}

async function submitLogin(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('form.auth-card button[type=submit]');
}

async function resetFlow(stack: Stack, smtp: SmtpSink, page: Page): Promise<void> {
  const base = stack.server.url;
  await page.goto(`${base}/login`);
  check('login page links "forgot password"', await visible(page, 'a[href="/login/forgot-password"]'));
  await audit(page, 'login', '#username');
  await page.click('a[href="/login/forgot-password"]');
  check('forgot password page opens', await visible(page, '#forgot-email'));
  await audit(page, 'forgot password', '#forgot-email');
  await page.fill('#forgot-email', 'frida@example.org');
  await page.click('form.auth-card button[type=submit]');
  check('the page says a mail is on its way', await textIn(page, '[role=status]', /mail with a link/));

  const link = await until('the reset mail', async () => body(mailTo(smtp.mails, 'frida@example.org').at(-1) ?? { to: [], raw: '' }).match(/https?:\/\/\S+\/reset-password\?\S+/)?.[0], 15_000);
  const url = new URL(link);
  check('the mailed link points at this instance', url.origin === base);
  await page.goto(link);
  check('reset page opens from the mail', await visible(page, '#reset-password'));
  await audit(page, 'reset password', '#reset-password');
  await page.fill('#reset-password', 'fresh-password-1');
  await page.fill('#reset-confirm', 'different-one-1');
  await page.click('form.auth-card button[type=submit]');
  check('two different passwords are refused in the page', await textIn(page, '[role=alert]', /differ/));
  await page.fill('#reset-confirm', 'fresh-password-1');
  await page.click('form.auth-card button[type=submit]');
  check('password changed', await textIn(page, '[role=status]', /password has been changed/));

  await submitLogin(page, base, 'frida', 'password1');
  check('the old password no longer logs in', await textIn(page, '[role=alert]', /Wrong username or password/));
  await submitLogin(page, base, 'frida', 'fresh-password-1');
  check('the new password logs in', await ok(page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 })));
  await page.evaluate(() => localStorage.clear());

  await page.goto(link);
  await page.fill('#reset-password', 'again-password-1');
  await page.fill('#reset-confirm', 'again-password-1');
  await page.click('form.auth-card button[type=submit]');
  check('the link does not work twice', await textIn(page, '[role=alert]', /expired or was already used/));

  await page.goto(`${base}/verify-account/ask-send-email`);
  check('verification request page opens', await visible(page, '#verify-email'));
  await audit(page, 'ask verification mail', '#verify-email');
  await page.goto(`${base}/verify-account/email?userId=1&verificationString=nope`);
  check('a bad verification link is refused in the page', await textIn(page, '[role=alert]', /expired or was already used/));
  await audit(page, 'verify e-mail (refused)', '[role=alert]');
}

async function blockedLogin(stack: Stack, page: Page): Promise<void> {
  const admin = await stack.server.login();
  const { user } = await admin.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: { username: 'gus', password: 'password1', email: 'gus@example.org', role: 2 } });
  await admin.request('POST', `/api/v1/users/${user.id}/block`, { json: { reason: 'posting spam links' } });
  await submitLogin(page, stack.server.url, 'gus', 'password1');
  check('a blocked user is told so, with the reason', await textIn(page, '[role=alert]', /account is blocked.*posting spam links/));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let stack: Stack | null = null;
  let smtp: SmtpSink | null = null;
  let v: Viewer | null = null;
  try {
    smtp = await startSmtp();
    stack = await startStack({ smtp: smtpConfig(smtp), transcoding: { enabled: false }, runners: { embedded: { enabled: false } } });
    const admin = await stack.server.login();
    await admin.request('POST', '/api/v1/users', { json: { username: 'frida', password: 'password1', email: 'frida@example.org', role: 2 } });
    v = await Viewer.launch('frida', stack.server.url);
    v.page.on('pageerror', (e) => result.pageErrors.push(e.message));
    await resetFlow(stack, smtp, v.page);
    await blockedLogin(stack, v.page);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  } finally {
    await v?.close();
    await stack?.stop().catch(() => undefined);
    await smtp?.close();
    result.ms = Date.now() - t0;
    await writeResult(result);
  }
  process.exit(result.error ? 1 : 0);
}

await main();
