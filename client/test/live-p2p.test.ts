/// <reference types="node" />
/**
 * A live played in headless Chromium by two viewers with P2P (default latency mode), in the
 * loopback-only namespace: both join a running live (20 s on air), play it 5 segments behind the
 * edge, and each receives hash-checked segments from the other.
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { LiveP2PResult } from './support/live-p2p.scenario';

const SCENARIO = fileURLToPath(new URL('./support/live-p2p.scenario.ts', import.meta.url));

describe('a live with P2P between two viewers (loopback namespace)', () => {
  let r: LiveP2PResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<LiveP2PResult>(SCENARIO, [], { timeoutMs: 180_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 200_000);

  it('both viewers play the live with P2P, each gets segments from the other, and no segment fails its hash check', () => {
    console.log(`live P2P: ${JSON.stringify(r.viewers.map((v) => ({ http: v.httpBytes, p2p: v.p2pBytes, up: v.uploadedBytes, rejected: v.rejected, t: v.currentTime, behind: +(v.duration - v.currentTime).toFixed(1), latency: v.liveLatency?.text })))}`);
    expect(r.viewers).toHaveLength(2);
    for (const v of r.viewers) {
      expect(v.engine).toBe('hls-p2p');
      expect(v.error).toBeNull();
      expect(v.currentTime).toBeGreaterThan(5);
      expect(v.rejected).toBe(0);
    }
    // Each fetched some new segments over HTTP and got the others from the other viewer.
    for (const v of r.viewers) {
      expect(v.p2pBytes).toBeGreaterThan(0);
      expect(v.uploadedBytes).toBeGreaterThan(0);
      expect(v.duration - v.currentTime).toBeGreaterThan(12);
    }
    expect(r.pageErrors).toEqual([[], []]);
  });

  it("each watch page shows its latency from the wall clock and the playlists' PROGRAM-DATE-TIME: a plausible figure, no less than its distance to the live edge", () => {
    for (const v of r.viewers) {
      expect(v.liveLatency?.measured).toBe('clock');
      const seconds = Number(/^Latency (\d+\.\d) s$/.exec(v.liveLatency!.text)?.[1]);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(30);
      // The newest listed segment was encoded before now: the figure cannot be below the distance to it.
      expect(seconds).toBeGreaterThan(v.duration - v.currentTime - 1);
    }
  });
});

describe('a viewer who opens a default-mode live in its first seconds (loopback namespace)', () => {
  it('starts once 3 segments are out and plays more than 8 s behind the edge (not a second from it, stalling at each segment)', async () => {
    const run = await runInLoopbackNamespace<LiveP2PResult>(SCENARIO, ['1', '20000', '0'], { timeoutMs: 150_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    const [v] = run.result.viewers;
    console.log(`early live viewer: ${JSON.stringify({ behind: +(v!.duration - v!.currentTime).toFixed(1), firstPlayingMs: v!.firstPlayingMs, t: v!.currentTime, latency: v!.liveLatency?.text })}`);
    expect(v!.error).toBeNull();
    expect(v!.currentTime).toBeGreaterThan(3);
    expect(v!.duration - v!.currentTime).toBeGreaterThan(8);
    expect(run.result.pageErrors).toEqual([[]]);
  }, 170_000);
});
