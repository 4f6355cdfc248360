/// <reference types="node" />
/**
 * Issue 13's subscribe button, bell, notifications, settings and subscriptions pages in headless
 * Chromium against the real server (support/notifications.scenario.ts, loopback-only namespace).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { NotificationPagesResult } from './support/notifications.scenario';

const SCENARIO = fileURLToPath(new URL('./support/notifications.scenario.ts', import.meta.url));

describe('web client: subscriptions and notifications (real server)', () => {
  let r: NotificationPagesResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<NotificationPagesResult>(SCENARIO, [], { timeoutMs: 240_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      const failed = Object.entries(run.result?.checks ?? {}).filter(([, v]) => !v).map(([k]) => k);
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\nfailed checks: ${failed.join('; ')}\n--- log tail ---\n${run.log.slice(-4000)}`);
    }
    r = run.result;
  }, 260_000);

  it('subscribes from the channel page, the bell rises live when the channel publishes, reads and marks read, settings, subscriptions page, unsubscribes', () => {
    const names = [
      'channel page: Subscribe button', 'channel page: Unsubscribe once subscribed', 'channel page: count 1', 'the API lists the subscription',
      'the channel counts the follower', 'no unread count before', 'the bell rises without a reload', 'notifications page lists the new video',
      'mark all read: the bell empties', 'mark all read: the API agrees', 'the notification links to the video', 'the bell rises when another user comments', 'settings saved',
      'settings stored (web + e-mail = 3)', 'subscriptions page lists the video', 'watch page: Unsubscribe shown', 'watch page: unsubscribed',
      'the API has no subscription left',
    ];
    expect(Object.fromEntries(names.map((n) => [n, r.checks[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, true])));
  });

  it('axe-core finds no WCAG 2.1 A/AA violation, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBe(10);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    expect(r.pageErrors).toEqual([]);
  });
});
