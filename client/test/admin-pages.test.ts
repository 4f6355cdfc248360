/// <reference types="node" />
/**
 * Administration in the browser (issue 14): registration requests accepted and rejected, a user
 * blocked while logged in, a video hidden by the administrator, the instance renamed with the header
 * following, and axe-core on every new page, light and dark (support/admin-pages.scenario.ts).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { AdminPagesResult } from './support/admin-pages.scenario';

const SCENARIO = fileURLToPath(new URL('./support/admin-pages.scenario.ts', import.meta.url));

describe('web client: administration pages (real server, real SMTP)', () => {
  let r: AdminPagesResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<AdminPagesResult>(SCENARIO, [], { timeoutMs: 300_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 320_000);

  it('a registration request tells the moderator (notification leading to the registrations page); one accepted and one rejected, each requester told by mail', () => {
    expect(r.checks).toMatchObject({
      'wren: the sign-up page says the request was sent': true,
      'spammer: the sign-up page says the request was sent': true,
      'moderator notified of the request': true,
      'the request notification leads to the registrations page': true,
      'registrations page: one accepted, one rejected': true,
      'accepted requester told by mail, with the message': true,
      'rejected requester told by mail, with the reason': true,
      'the accepted requester logs in': true,
    });
  });

  it('a user blocked while logged in is sent to log in and cannot log in again until unblocked', () => {
    expect(r.checks).toMatchObject({
      'alice sees her videos before the block': true,
      'users page shows alice blocked with the reason': true,
      'users page shows the reason': true,
      'blocked user is sent to log in at the next page': true,
      'blocked user holds no working session': true,
      'blocked user cannot log in again': true,
      'users page shows alice active again': true,
    });
  });

  it('the administrator hides another user’s video: visitors cannot open it, the owner is told', () => {
    expect(r.checks).toMatchObject({
      'visitor can open alice’s video before': true,
      'videos page marks it hidden': true,
      'visitor cannot open the hidden video': true,
      'hidden video left the public list': true,
      'owner told by mail, with the reason': true,
    });
  });

  it('with no runner able to take the jobs, the runners page and the owner\'s videos say why (issue 14, item 6)', () => {
    expect(r.checks['runners page says why jobs wait']).toBe(true);
    expect(r.checks['my videos tells the owner why transcoding waits']).toBe(true);
  });

  it('the instance renamed in the settings page shows in the header without a reload, and stays', () => {
    expect(r.checks).toMatchObject({
      'settings saved': true,
      'header shows the new name without a reload': true,
      'a bad value is refused (400)': true,
      'the name is kept after a reload': true,
    });
  });

  it('the administrator creates a user, searches the list and reads the jobs by state; a visitor reads the about page', () => {
    expect(r.checks).toMatchObject({
      'users page: the administrator creates a moderator': true,
      'users page: search narrows the list': true,
      'about page: the instance name': true,
      'about page: rules, languages, categories and figures': true,
      'about page: the contact form is sent': true,
      'contact mail reaches the administrators with the visitor as Reply-To': true,
      'jobs page: a count for each state, from the queue registry': true,
    });
  });

  it('the administrator blocks an instance on the federation page, a bad host is refused, then unblocks it', () => {
    expect(r.checks).toMatchObject({
      'federation page: a blocked host is listed': true,
      'federation page: the block is stored': true,
      'federation page: a bad host is refused with a message': true,
      'federation page: the host unblocked': true,
    });
  });

  it('no new page breaks a WCAG 2.1 A/AA rule that axe-core checks, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBe(18);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    console.log(r.notes.join('\n'));
    expect(r.pageErrors).toEqual([]);
  });
});
