/// <reference types="node" />
/**
 * Search remote URI and remote channel/account pages in headless Chromium against two real
 * federated instances (support/remote-search.scenario.ts, in a loopback-only namespace).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { RemoteSearchResult } from './support/remote-search.scenario';

const SCENARIO = fileURLToPath(new URL('./support/remote-search.scenario.ts', import.meta.url));

describe('web client: search remote URI, remote channel and account pages (two real instances)', () => {
  let r: RemoteSearchResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<RemoteSearchResult>(SCENARIO, [], { timeoutMs: 240_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      const failed = Object.entries(run.result?.checks ?? {}).filter(([, v]) => !v).map(([k]) => k);
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\nfailed checks: ${failed.join('; ')}\n--- log tail ---\n${run.log.slice(-4000)}`);
    }
    r = run.result;
  }, 260_000);

  const expectChecks = (names: string[]) => expect(Object.fromEntries(names.map((n) => [n, r.checks[n]]))).toEqual(Object.fromEntries(names.map((n) => [n, true])));

  it('an anonymous visitor is offered to log in and nothing is fetched', () => {
    expectChecks(['anonymous: the page offers to log in', 'anonymous: nothing fetched']);
  });

  it('logged in, a pasted video URL shows the fetched video, and its channel page renders at /c/name@host', () => {
    expectChecks([
      'logs in', 'the pasted video URL shows the remote video', 'the video is stored on A', 'its channel link opens /c/name@host',
      'the remote channel page shows its name', 'the remote channel page lists its video',
    ]);
  });

  it('a @name@host handle shows the fetched channel; its page and its owner account page render', () => {
    expectChecks([
      'a handle search shows the fetched channel', 'the handle search opened the channels tab', 'the channel result links to /c/name@host',
      'the second channel page renders', 'the owner link opens /a/name@host', 'the remote account page renders', 'an unknown handle finds nothing',
    ]);
    expect(r.pageErrors).toEqual([]);
  });
});
