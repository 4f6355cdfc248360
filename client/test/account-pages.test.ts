/// <reference types="node" />
/**
 * Issue 14's account, channel, browse and watch pages in headless Chromium against the real server
 * (support/account-pages.scenario.ts, in a loopback-only namespace like web-app.test.ts).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { AccountPagesResult } from './support/account-pages.scenario';

const SCENARIO = fileURLToPath(new URL('./support/account-pages.scenario.ts', import.meta.url));

describe('web client: my account, channels, browse and watch pages (real server)', () => {
  let r: AccountPagesResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<AccountPagesResult>(SCENARIO, [], { timeoutMs: 300_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      const failed = Object.entries(run.result?.checks ?? {}).filter(([, v]) => !v).map(([k]) => k);
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\nfailed checks: ${failed.join('; ')}\nnotes: ${run.result?.notes.join(' | ')}\n--- log tail ---\n${run.log.slice(-4000)}`);
    }
    r = run.result;
    const failed = Object.entries(r.checks).filter(([, v]) => !v).map(([k]) => k);
    if (failed.length) console.error(`failed checks: ${failed.join('; ')}\nnotes: ${r.notes.join(' | ')}`);
  }, 320_000);

  const expectChecks = (names: string[]) => expect(Object.fromEntries(names.map((n) => [n, r.checks[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, true])));

  it('a user logs in with her e-mail and changes settings, avatar and password (bad cases refused)', () => {
    expectChecks([
      'logs in with the e-mail address', 'profile saved', 'display name stored', 'NSFW policy and autoplay stored', 'avatar uploaded',
      'avatar stored in three sizes', 'a too large avatar is refused with the limit', 'wrong current password: 401 and a message',
      'wrong current password: the old one still works', 'password changed', 'the new password logs in',
    ]);
  });

  it('she creates and edits channels, moves a video, deletes a channel (name typed) and her account', () => {
    expectChecks([
      'my channels lists the default channel', 'channel created and listed', 'a taken channel name: 409 and a message', 'banner uploaded',
      'a too large banner is refused with the limit', 'channel display name changed', 'channel page shows the banner',
      'channel about tab renders the markdown description', "someone else's channel: 403 and a message",
      'the edit page moved the video to my other channel', 'delete is disabled until the name is typed', 'a wrong name keeps it disabled',
      'channel deleted with its video', 'delete account disabled before typing the username', 'account deleted, logged out, back home',
    ]);
  });

  it('a visitor browses trending, recent, local and overview pages and searches with filters', () => {
    expectChecks([
      'trending page lists the video', 'recently added page lists the video', 'local page lists the video',
      'overview groups the video under its category', 'overview groups the video under its channel', 'search finds the video',
      'the header box keeps the query after a reload', 'duration filter: a long-video search finds nothing',
      'short + Science & Technology finds the video', 'another category finds nothing', 'the header box still holds the query',
      'channel search lists my channel',
    ]);
  });

  it('watch page: quality label = videoHeight, speed, theater, help, markdown, share, download, counts', () => {
    expectChecks([
      'auto: the quality label names the playing height every time', '240p chosen: the label says 240p and the picture is 240 high',
      'speed menu sets 1.5×', '> speeds up to 1.75×', 'P2P panel: the switch and the byte counts, as a popup', 'P2P panel: Escape closes it', 't turns theater mode on', 't turns it off again', '? opens the shortcuts help',
      'Escape closes it', 'description: markdown rendered', 'description: raw HTML neither rendered nor run',
      'description: external links open safely', 'description: hashtags search', 'share: the watch link',
      'share: start time in the link and the embed code', 'share: QR code of the link', 'download: one link per rendition',
      'download: the file comes as an attachment', 'downloads off: no Download button for a visitor',
      'downloads off: the server refuses the visitor', 'downloads off: the owner still gets them, told why', 'the owner sees the original file',
      'likes and dislikes shown agree with the API',
    ]);
  });

  it('axe-core finds no WCAG 2.1 A/AA violation on the new pages and dialogs, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBeGreaterThanOrEqual(30);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    expect(r.pageErrors).toEqual([]);
  });
});
