/// <reference types="node" />
/**
 * Issue 13's comments and ratings on the watch page in headless Chromium against the real server
 * (support/comments.scenario.ts, in a loopback-only namespace like the other browser tests).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { CommentsResult } from './support/comments.scenario';

const SCENARIO = fileURLToPath(new URL('./support/comments.scenario.ts', import.meta.url));

describe('web client: comments and ratings on the watch page (real server)', () => {
  let r: CommentsResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<CommentsResult>(SCENARIO, [], { timeoutMs: 300_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      const failed = Object.entries(run.result?.checks ?? {}).filter(([, v]) => !v).map(([k]) => k);
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\nfailed checks: ${failed.join('; ')}\nnotes: ${run.result?.notes.join(' | ')}\n--- log tail ---\n${run.log.slice(-4000)}`);
    }
    r = run.result;
    const failed = Object.entries(r.checks).filter(([, v]) => !v).map(([k]) => k);
    if (failed.length) console.error(`failed checks: ${failed.join('; ')}\nnotes: ${r.notes.join(' | ')}`);
  }, 320_000);

  const expectChecks = (names: string[]) => expect(Object.fromEntries(names.map((n) => [n, r.checks[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, true])));

  it('a user comments, replies, deletes her reply and likes the video', () => {
    expectChecks([
      'bob logs in', 'the comments section shows no comment yet', 'the comment appears at the top', 'the comment is stored as written',
      'the count says 1 comment', 'a hashtag links to the search', 'the reply appears under its thread', 'the reply is stored in the thread',
      'the deleted reply leaves the thread', 'like: the button is pressed', 'like: stored as the viewer rating', 'like: the page reflects the rating after a reload',
    ]);
  });

  it('the owner approves a held comment that visitors do not see', () => {
    expectChecks(['policy 3: the comment is held', 'a visitor does not see the held comment', 'the owner sees the held badge', 'approved: the badge goes', 'approved: stored as not held']);
  });

  it('a visitor pages through threads, sorts by replies and opens a thread', () => {
    expectChecks([
      'a first page of 20 threads', 'the count includes replies', 'load more: every thread', 'load more: the button goes', 'most replies first',
      'view replies opens the thread', 'a visitor has no comment form, a login link instead',
    ]);
  });

  it('XSS payloads (local comments, a remote Note, stored hostile HTML) render inert', () => {
    expectChecks([
      'the remote Note is accepted', 'the remote Note is a comment',
      'xss (visitor): no payload ran', 'xss (visitor): no script, handler, frame or svg in the comments', 'xss (visitor): no javascript: link', 'xss (visitor): the comments rendered',
      'xss (bob): no payload ran', 'xss (bob): no script, handler, frame or svg in the comments', 'xss (bob): no javascript: link', 'xss (bob): the comments rendered',
      'xss: clicking the links runs nothing',
    ]);
  });

  it('axe-core finds no WCAG 2.1 A/AA violation on the watch page with comments, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBeGreaterThanOrEqual(3);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    expect(r.pageErrors).toEqual([]);
  });
});
