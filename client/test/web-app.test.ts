/// <reference types="node" />
/**
 * Upload resume across a reload, expired sessions, player controls and remembered preferences, and
 * an accessibility audit (axe-core) of every page, in headless Chromium against the real server
 * (support/web-app.scenario.ts, in a loopback-only namespace like web-e2e.test.ts).
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { WebAppResult } from './support/web-app.scenario';

const SCENARIO = fileURLToPath(new URL('./support/web-app.scenario.ts', import.meta.url));

describe('web client: uploads, sessions, player controls, accessibility (real server)', () => {
  let r: WebAppResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<WebAppResult>(SCENARIO, [], { timeoutMs: 180_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 200_000);

  it('an upload interrupted by a reload resumes where it stopped and creates one video', () => {
    expect(r.checks).toMatchObject({
      'reload offers to resume the upload': true,
      'resumed upload finishes': true,
      'resumed from the bytes the server held, not from 0': true,
      'exactly one video was created by the resumed upload': true,
    });
  });

  it('an expired access token is refreshed silently; a dead refresh token goes through /login and back', () => {
    expect(r.checks).toMatchObject({
      'expired access token: the page still loads': true,
      'expired access token: refreshed silently': true,
      'dead refresh token: sent to /login': true,
      'after logging in again: back where the user was': true,
    });
  });

  it('player controls: keyboard, quality menu, P2P switch, remembered across reloads', () => {
    const names = ['plays by itself', 'k pauses (first press)', 'k plays', '→ seeks forward 5 s', 'm mutes', '↓ lowers the volume', 'quality menu picks 240p', 'k pauses', 'volume remembered',
      'P2P off and 240p remembered', 'P2P switch shows off after reload', '240p applied after reload'];
    expect(r.checks).toMatchObject(Object.fromEntries(names.map((n) => [n, true])));
  });

  it('no page breaks a WCAG 2.1 A/AA rule that axe-core checks, logged out and in, light and dark', () => {
    expect(Object.keys(r.a11y).length).toBeGreaterThanOrEqual(18);
    const found = Object.entries(r.a11y).flatMap(([page, violations]) =>
      violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`),
    );
    expect(found).toEqual([]);
  });

  it('no page threw', () => {
    expect(r.pageErrors).toEqual([]);
  });
});
