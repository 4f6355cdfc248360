// Live P2P: a live in the default latency mode (real ffmpeg publisher, embedded runner) watched by 3
// headless Chromium viewers joining 4 s apart, in the loopback-only namespace (the live browser
// test's scenario with 3 viewers and a longer watch). Figures: the bytes the viewers got over HTTP
// against all the media bytes they got (HTTP + peers) in the same run, and each viewer's P2P share.
// Three runs: viewers joining a running default-mode live (the playlist already holds the 5
// segments the player stays behind the edge: the goal's case), viewers joining in its first seconds
// (the player waits for 3 segments, see liveStartSegments), and a running small-latency live (2 s
// segments, 2 behind; PeerTube turns P2P off in that mode).
import { join } from 'node:path';
import { REPO_ROOT, runInLoopbackNamespace } from '../../client/test/support/loopback-netns';
import type { LiveP2PResult } from '../../client/test/support/live-p2p.scenario';
import type { BenchRow } from './report';

const SCENARIO = join(REPO_ROOT, 'client/test/support/live-p2p.scenario.ts');
const VIEWERS = 3;
const WATCH_MS = 45_000;

async function run(joinAfterSegments: number, latencyMode: number, label: string): Promise<BenchRow[]> {
  const args = [String(VIEWERS), String(WATCH_MS), String(joinAfterSegments), String(latencyMode)];
  const res = await runInLoopbackNamespace<LiveP2PResult>(SCENARIO, args, { timeoutMs: 300_000, echo: !!process.env.SHOW_BENCH_LOG });
  const r = res.result;
  if (res.code !== 0 || !r || r.error) throw new Error(`live P2P scenario failed (exit ${res.code}): ${r?.error ?? 'no result'}\n${res.log.slice(-6000)}`);
  const http = r.viewers.reduce((s, v) => s + v.httpBytes, 0);
  const p2p = r.viewers.reduce((s, v) => s + v.p2pBytes, 0);
  const rows: BenchRow[] = [
    {
      name: `${label}: ${VIEWERS} viewers, ${WATCH_MS / 1000} s, media bytes over HTTP`,
      value: http,
      unit: 'bytes',
      baselineName: 'all media bytes the viewers got (HTTP + peers), same run',
      baseline: http + p2p,
      note: 'lower is better; 1 − this ratio is the P2P share',
    },
    { name: `${label}: swarm P2P share (peer bytes ÷ all media bytes)`, value: (100 * p2p) / Math.max(1, http + p2p), unit: '%', plain: true },
  ];
  r.viewers.forEach((v, i) => {
    rows.push({
      name: `${label}: viewer ${i + 1} P2P share`,
      value: (100 * v.p2pBytes) / Math.max(1, v.p2pBytes + v.httpBytes),
      unit: '%',
      plain: true,
      note: `first picture after ${v.firstPlayingMs === null ? 'never' : `${(v.firstPlayingMs / 1000).toFixed(1)} s`}, ${(v.duration - v.currentTime).toFixed(1)} s behind the edge, ${v.stalls} stalls (${v.stalledMs} ms), ${v.peers} peer links, uploaded ${v.uploadedBytes} bytes, ${v.rejected} refused, ${v.error ?? 'no error'}`,
    });
  });
  rows.push({ name: `${label}: wall time`, value: res.ms / 1000, unit: 's', plain: true });
  return rows;
}

export async function liveP2PBench(): Promise<BenchRow[]> {
  const running = await run(5, 1, 'running live (goal: share ≥ 50 %)');
  const early = await run(0, 1, 'joining in the first seconds');
  const small = await run(5, 3, 'small-latency live');
  return [...running, ...early, ...small];
}
