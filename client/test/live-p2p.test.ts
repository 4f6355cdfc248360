/// <reference types="node" />
/**
 * A live played in headless Chromium by two viewers with P2P (default latency mode), in the
 * loopback-only namespace: both play; the later viewer receives hash-checked segments from the first.
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

  it('both viewers play the live with P2P, the later one gets segments from the first, and no segment fails its hash check', () => {
    console.log(`live P2P: ${JSON.stringify(r.viewers.map((v) => ({ http: v.httpBytes, p2p: v.p2pBytes, up: v.uploadedBytes, rejected: v.rejected, t: v.currentTime })))}`);
    expect(r.viewers).toHaveLength(2);
    for (const v of r.viewers) {
      expect(v.engine).toBe('hls-p2p');
      expect(v.error).toBeNull();
      expect(v.currentTime).toBeGreaterThan(5);
      expect(v.rejected).toBe(0);
    }
    // The later viewer gets segments from the first, which served them (the first, ahead at the
    // live edge, fetches over HTTP: both > 0 would need a peer hold for lives, not done yet).
    const [first, second] = r.viewers;
    expect(second!.p2pBytes).toBeGreaterThan(0);
    expect(first!.uploadedBytes).toBeGreaterThan(0);
    expect(r.pageErrors).toEqual([[], []]);
  });
});
