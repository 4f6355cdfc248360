/// <reference types="node" />
/**
 * Issue 11 item 6: a remote video plays on another instance's watch page with P2P. Two real
 * instances in the loopback namespace (A follows B, B's upload listed on A); a Chromium viewer on
 * B's watch page and one on A's watch page of the same video share one swarm through B's tracker,
 * and every peer segment passes the check against B's segments-sha256.json.
 */
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace } from './support/loopback-netns';
import type { RemoteP2PResult } from './support/remote-p2p.scenario';

const SCENARIO = fileURLToPath(new URL('./support/remote-p2p.scenario.ts', import.meta.url));

describe('a remote video watched on two instances shares one P2P swarm (loopback namespace)', () => {
  let r: RemoteP2PResult;

  beforeAll(async () => {
    const run = await runInLoopbackNamespace<RemoteP2PResult>(SCENARIO, [], { timeoutMs: 300_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 320_000);

  it("A's API gives B's playlist, hash list and tracker for B's video", () => {
    const origin = new URL(r.originUrl);
    expect(r.onA).not.toBeNull();
    expect(r.onA!.isLocal).toBe(false);
    expect(new URL(r.onA!.playlistUrl).origin).toBe(origin.origin);
    expect(new URL(r.onA!.segmentsSha256Url).origin).toBe(origin.origin);
    expect(r.onA!.trackerUrls).toContain(`ws://${origin.host}/tracker/socket`);
  });

  it("A's page announces to B's tracker and checks segments against B's hash list", () => {
    const origin = new URL(r.originUrl);
    expect(r.trackerSocketsOfA.length).toBeGreaterThan(0);
    for (const url of r.trackerSocketsOfA) expect(new URL(url).host).toBe(origin.host);
    expect(r.hashListsOfA.length).toBeGreaterThan(0);
    for (const h of r.hashListsOfA) {
      expect(h.url).toBe(r.onA!.segmentsSha256Url);
      expect(h.status).toBe(200);
    }
  });

  it('the viewer on B and the viewer on A exchange segments over WebRTC, none fails its hash check', () => {
    console.log(`remote P2P: ${JSON.stringify(r.viewers.map((v) => ({ http: v.httpBytes, p2p: v.p2pBytes, up: v.uploadedBytes, rejected: v.rejected, t: v.currentTime })))}`);
    expect(r.viewers).toHaveLength(2);
    for (const v of r.viewers) {
      expect(v.engine).toBe('hls-p2p');
      expect(v.error).toBeNull();
      expect(v.currentTime).toBeGreaterThan(4);
      expect(v.p2pBytes).toBeGreaterThan(0);
      expect(v.uploadedBytes).toBeGreaterThan(0);
      expect(v.rejected).toBe(0);
    }
    expect(r.pageErrors).toEqual([[], []]);
  });
});
