/// <reference types="node" />
/**
 * A low-latency live (LL-HLS) played in headless Chromium in the loopback-only namespace: it plays
 * over HTTP only, hls.js runs in low-latency mode (blocking playlist reloads, parts) and stays
 * close to the live edge, and the watch page shows its latency. The same live's owner finds its
 * stream key and settings on its edit page and in the Go-live page's list.
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { LiveLlResult } from './support/live-ll.scenario';

const SCENARIO = fileURLToPath(new URL('./support/live-ll.scenario.ts', import.meta.url));

describe('a low-latency live in the browser (loopback namespace)', () => {
  let r: LiveLlResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<LiveLlResult>(SCENARIO, [], { timeoutMs: 150_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 170_000);

  it('plays over HTTP with blocking playlist reloads and parts, close to the live edge', () => {
    const behind = [...r.behindEdge].sort((a, b) => a - b);
    const median = behind[Math.floor(behind.length / 2)]!;
    console.log(`LL live: ${JSON.stringify({ blocking: r.blockingReloads, failures: r.blockingFailures, parts: r.partsFetched, behindMedian: median.toFixed(2), t: r.viewer?.currentTime })}`);
    const v = r.viewer!;
    expect(v.error).toBeNull();
    expect(v.engine).toBe('hls'); // no P2P engine for this mode
    expect(v.p2pBytes).toBe(0);
    expect(v.currentTime).toBeGreaterThan(15);
    // 20 s of playback with ~0.2 s parts: hls.js asked for the next part again and again.
    expect(r.blockingReloads).toBeGreaterThan(20);
    expect(r.partsFetched).toBeGreaterThan(20);
    // The player holds PART-HOLD-BACK (0.75 s) behind the newest part, not segments behind.
    expect(median).toBeLessThan(2);
    expect(r.pageErrors).toEqual([]);
  });

  it("shows the latency beside the LIVE badge from the wall clock and the server's PROGRAM-DATE-TIME: a clock figure, plausible, no less than the distance to the live edge", () => {
    console.log(`LL live latency shown: ${r.latency.map((l) => l?.text ?? '-').join(' | ')}`);
    const shown = r.latency.map((l, i) => ({ l, behind: r.behindEdge[i]! })).filter((s) => s.l !== null);
    // Sampled once a second while it plays: shown nearly all the time.
    expect(shown.length).toBeGreaterThanOrEqual(r.latency.length - 2);
    for (const { l, behind } of shown) {
      expect(l!.measured).toBe('clock');
      const seconds = Number(/^Latency (\d+\.\d) s$/.exec(l!.text)?.[1]);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(10);
      // Every listed part arrived before now: the frame on screen is at least its distance to the
      // edge old. The text is refreshed once a second and rounded, the distance read at the sample:
      // a second of slack (0.5 s shown against 1.05 s behind once failed a 0.5 s slack in CI).
      if (Number.isFinite(behind)) expect(seconds).toBeGreaterThan(behind - 1);
    }
  });

  it("the owner's edit page shows the API's RTMP URL and stream key, makes a new key and saves a setting; the Go-live page lists the live on air and links there", () => {
    console.log(`owner: ${r.owner.notes.join(' | ')}`);
    expect(Object.keys(r.owner.checks).length).toBeGreaterThanOrEqual(8);
    expect(Object.entries(r.owner.checks).filter(([, pass]) => !pass).map(([name]) => name)).toEqual([]);
    const found = Object.entries(r.owner.a11y).flatMap(([page, violations]) => violations.map((v) => `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(', ')}`));
    expect(found).toEqual([]);
  });
});
