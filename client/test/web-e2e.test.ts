/// <reference types="node" />
/**
 * The web client end to end against the real server: login and upload through the UI, real
 * transcoding by the embedded runner, playback, P2P between three viewers, a corrupting peer caught
 * by the hash check. The scenario (support/web-e2e.scenario.ts) runs in a loopback-only network and
 * PID namespace (notes/p2p.md): WebRTC cannot reach a real interface, and every process it started
 * dies with it. Screenshots land in test-artifacts/web/.
 */
import { statSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInLoopbackNamespace, type NamespaceRun } from './support/loopback-netns';
import type { WebE2EResult } from './support/web-e2e.scenario';

const SCENARIO = fileURLToPath(new URL('./support/web-e2e.scenario.ts', import.meta.url));

describe('web client against the real server, in a loopback-only namespace', () => {
  let run: NamespaceRun<WebE2EResult>;
  let r: WebE2EResult;

  beforeAll(async () => {
    run = await runInLoopbackNamespace<WebE2EResult>(SCENARIO, [], { timeoutMs: 200_000, echo: !!process.env.SHOW_E2E_LOG });
    if (run.code !== 0 || !run.result || run.result.error) {
      throw new Error(`scenario failed (exit ${run.code}): ${run.result?.error ?? 'no result'}\n--- log tail ---\n${run.log.slice(-8000)}`);
    }
    r = run.result;
  }, 220_000);

  it('logs in through the form and uploads through the upload page until the video is watchable', () => {
    expect(r.loggedInAs).toBe('root');
    expect(r.uploaded?.state).toBe(1); // PUBLISHED, after real transcoding
    expect(r.uploaded?.hlsFiles).toBeGreaterThan(0);
    expect(r.homeListsVideo).toBe(true);
    expect(r.adminListsRunner).toBe(true);
  });

  it('plays the video: the playhead advances, no error', () => {
    expect(r.first?.engine).toBe('hls-p2p');
    expect(r.firstAdvancedBy).toBeGreaterThanOrEqual(3);
    expect(r.first?.error).toBeNull();
    expect(r.first?.httpBytes).toBeGreaterThan(0);
  });

  it('viewers joining later get media from peers', () => {
    expect(r.later).toHaveLength(2);
    for (const s of r.later) {
      expect(s.p2pBytes).toBeGreaterThan(0);
      expect(s.error).toBeNull();
      expect(s.currentTime).toBeGreaterThan(1);
    }
    // Someone served them: the first viewer (and the second, to the third).
    expect(r.first!.uploadedBytes).toBeGreaterThan(0);
  });

  it('a private video plays for its owner without the P2P engine and without asking the tracker', () => {
    const w = r.privateWatch;
    expect(w, JSON.stringify(r.error)).not.toBeNull();
    expect(w!.state.error).toBeNull();
    expect(w!.advancedBy).toBeGreaterThanOrEqual(2);
    expect(w!.state.engine).toBe('hls');
    expect(w!.state.httpBytes).toBeGreaterThan(0);
    expect(w!.state.p2pBytes).toBe(0);
    expect(w!.trackerSockets).toEqual([]);
  });

  it('a peer serving corrupted segments is caught by the hash check', () => {
    const { segmentsCorrupted, receiver } = r.tampered;
    const seen = JSON.stringify(r.tampered);
    expect(segmentsCorrupted, seen).toBeGreaterThan(0);
    expect(receiver!.rejected, seen).toBeGreaterThan(0);
    // Refused bytes are not counted as delivered, and the only peer was the bad one.
    expect(receiver!.p2pBytes).toBe(0);
    expect(receiver!.error).toBeNull();
  });

  // Without src/player/byte-range-retry-fix.ts this fails: p2p-media-loader-core 2.3 forgets a refused
  // segment's byte-range length, every HTTP retry of it ends in "http-bytes-mismatch", playback stalls.
  it('after refusing a peer segment, the receiver plays on over HTTP', () => {
    const { receiver, receiverAdvancedBy, stalled } = r.tampered;
    expect(stalled).toBeUndefined();
    expect(receiver!.httpBytes).toBeGreaterThan(0);
    expect(receiverAdvancedBy).toBeGreaterThanOrEqual(8);
  });

  it('no page threw, and the screenshots were written', () => {
    expect(r.pageErrors).toEqual({ first: [], second: [], third: [], 'bad-peer': [], receiver: [] });
    expect(r.screenshots.map((p) => p.split('/').pop()).sort()).toEqual(['admin-runners.png', 'home.png', 'upload.png', 'watch.png']);
    for (const p of r.screenshots) expect(statSync(p).size).toBeGreaterThan(10_000);
  });
});
