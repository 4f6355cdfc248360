/// <reference types="node" />
/**
 * Issue 13's password reset and e-mail pages in headless Chromium against the real server and a
 * real SMTP server (support/email-pages.scenario.ts, in a loopback-only namespace).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { EmailPagesResult } from './support/email-pages.scenario';

const SCENARIO = fileURLToPath(new URL('./support/email-pages.scenario.ts', import.meta.url));

describe('web client: forgot password, reset from the mail, verification pages (real server, real SMTP)', () => {
  let r: EmailPagesResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<EmailPagesResult>(SCENARIO, [], { timeoutMs: 180_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      const failed = Object.entries(run.result?.checks ?? {}).filter(([, v]) => !v).map(([k]) => k);
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\nfailed checks: ${failed.join('; ')}\n--- log tail ---\n${run.log.slice(-4000)}`);
    }
    r = run.result;
  }, 200_000);

  const expectChecks = (names: string[]) => expect(Object.fromEntries(names.map((n) => [n, r.checks[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, true])));

  it('resets a forgotten password from the mail received, then logs in with it; the link works once', () => {
    expectChecks([
      'login page links "forgot password"', 'forgot password page opens', 'the page says a mail is on its way',
      'the mailed link points at this instance', 'reset page opens from the mail', 'two different passwords are refused in the page',
      'password changed', 'the old password no longer logs in', 'the new password logs in', 'the link does not work twice',
      'verification request page opens', 'a bad verification link is refused in the page',
    ]);
  });

  it('a blocked user is told so at login, with the reason', () => {
    expectChecks(['a blocked user is told so, with the reason']);
  });

  it('axe-core finds no WCAG 2.1 A/AA violation on the new pages, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBe(10);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    expect(r.pageErrors).toEqual([]);
  });
});
