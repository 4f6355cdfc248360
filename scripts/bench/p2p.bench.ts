// P2P delivery: N headless Chromium viewers (N = 3, 5 and 8; P2P_SWARMS=3,5 picks other sizes) join
// one video 4 s apart, in a loopback-only network namespace, against the real server (embedded
// runner transcoding a 60 s 360p clip).
// Figures: share of media bytes that came from peers (swarm and per viewer), what the server sent
// relative to the video's size, each viewer's start-up. Needs root (unshare), /usr/bin/chromium.
import { join } from 'node:path';
import { REPO_ROOT, runInLoopbackNamespace } from '../../client/test/support/loopback-netns';
import type { SwarmResult, SwarmRun } from '../../client/test/support/p2p-swarm.scenario';
import type { BenchRow } from './report';

const SCENARIO = join(REPO_ROOT, 'client/test/support/p2p-swarm.scenario.ts');

function rowsOf(run: SwarmRun, videoBytes: number): BenchRow[] {
  const n = run.viewers;
  const p2p = run.states.reduce((s, v) => s + v.p2pBytes, 0);
  const http = run.states.reduce((s, v) => s + v.httpBytes, 0);
  const seen = run.states.reduce((s, v) => s + v.segmentBytesFromServer, 0);
  const rows: BenchRow[] = [
    { name: `${n} viewers: swarm P2P share (peer bytes ÷ all media bytes)`, value: (100 * p2p) / Math.max(1, p2p + http), unit: '%', note: 'goal ≥ 70 % with 5 viewers' },
    {
      name: `${n} viewers: segment bytes the server sent ÷ video size (Chromium network log)`,
      value: seen / videoBytes,
      unit: '×',
      baselineName: 'no P2P: every viewer fetches it',
      baseline: n,
      note: 'lower is better',
    },
    { name: `${n} viewers: media bytes over HTTP (players' count) ÷ video size`, value: http / videoBytes, unit: '×', baselineName: 'no P2P', baseline: n, note: 'lower is better' },
    { name: `${n} viewers: bytes the server process wrote ÷ video size (/proc wchar)`, value: run.serverWrittenBytes / videoBytes, unit: '×', baselineName: 'no P2P', baseline: n, note: 'lower is better' },
  ];
  run.states.forEach((s, i) => {
    const share = (100 * s.p2pBytes) / Math.max(1, s.p2pBytes + s.httpBytes);
    rows.push({ name: `${n} viewers: viewer ${i + 1} P2P share`, value: share, unit: '%', note: `${s.peers} peer links, ${s.rejected} refused, hold ${s.holdMs} ms` });
    rows.push({
      name: `${n} viewers: viewer ${i + 1} start-up (page navigation → playing)`,
      value: s.firstPlayingMs ?? NaN,
      unit: 'ms',
      note: `player ready → playing ${s.firstPlayingMs !== null && s.playerReadyMs !== null ? Math.round(s.firstPlayingMs - s.playerReadyMs) : '?'} ms; goal < 1500 ms`,
    });
    if (s.startupCpu && s.firstPlayingMs) {
      // Why late viewers start slower here: their browser needs this much CPU to start, on the
      // same 2 cores as the earlier viewers; the wait is time its threads were ready but not run.
      rows.push({
        name: `${n} viewers: viewer ${i + 1} CPU its browser used to start (all threads, navigation → playing)`,
        value: s.startupCpu.runMs,
        unit: 'ms',
        baselineName: 'wall time',
        baseline: s.firstPlayingMs,
        note: `threads waited ${Math.round(s.startupCpu.waitMs)} ms for a CPU (summed)`,
      });
    }
  });
  return rows;
}

export async function p2pBench(): Promise<BenchRow[]> {
  const run = await runInLoopbackNamespace<SwarmResult>(SCENARIO, [process.env.P2P_SWARMS ?? '3,5,8'], { timeoutMs: 600_000, echo: !!process.env.SHOW_BENCH_LOG });
  const r = run.result;
  if (run.code !== 0 || !r || r.error) throw new Error(`swarm scenario failed (exit ${run.code}): ${r?.error ?? 'no result'}\n${run.log.slice(-6000)}`);
  // Viewers play the top rendition (the player is ~850 px wide): the server sending one copy of it is "once".
  const top = Object.entries(r.renditionBytes).sort((a, b) => parseInt(b[0]) - parseInt(a[0]))[0];
  const rows: BenchRow[] = [{ name: `video: ${r.clipSeconds} s, renditions ${JSON.stringify(r.renditionBytes)} bytes; size used below = ${top[0]}`, value: top[1], unit: 'bytes' }];
  for (const s of r.runs) rows.push(...rowsOf(s, top[1]));
  rows.push({ name: 'bench wall time', value: run.ms / 1000, unit: 's' });
  return rows;
}

export const name = 'p2p';
