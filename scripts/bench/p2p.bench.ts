// P2P delivery: N headless Chromium viewers (N = 3, 5 and 8; P2P_SWARMS=3,5 picks other sizes) join
// one video 4 s apart, in a loopback-only network namespace, against the real server (embedded
// runner transcoding a 60 s 360p clip).
// Figures: what the server sent and each viewer's start-up, against the same viewers with P2P off
// in the same run; share of media bytes that came from peers (swarm and per viewer); the renditions
// viewers actually played. Needs root (unshare), /usr/bin/chromium.
import { join } from 'node:path';
import { REPO_ROOT, runInLoopbackNamespace } from '../../client/test/support/loopback-netns';
import type { SwarmResult, SwarmRun } from '../../client/test/support/p2p-swarm.scenario';
import type { BenchRow } from './report';

const SCENARIO = join(REPO_ROOT, 'client/test/support/p2p-swarm.scenario.ts');

/** The size of the rendition each viewer played (its frames' height), checked against the renditions made. */
function playedBytes(run: SwarmRun, renditionBytes: Record<string, number>): number[] {
  return run.states.map((st, i) => {
    const bytes = renditionBytes[`${st.videoHeight}p`];
    if (bytes === undefined) throw new Error(`${run.viewers} viewers (P2P ${run.p2p ? 'on' : 'off'}): viewer ${i + 1} plays ${st.videoHeight}p, not one of ${Object.keys(renditionBytes).join(', ')}`);
    return bytes;
  });
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** Rows of one swarm size: the P2P run against the same viewers with P2P off, measured in the same run. */
function rowsOf(on: SwarmRun, off: SwarmRun, renditionBytes: Record<string, number>): BenchRow[] {
  const n = on.viewers;
  const base = 'P2P off, same viewers';
  const p2p = sum(on.states.map((v) => v.p2pBytes));
  const http = sum(on.states.map((v) => v.httpBytes));
  const played = playedBytes(on, renditionBytes);
  playedBytes(off, renditionBytes);
  const heights = [...new Set(on.states.map((v) => `${v.videoHeight}p`))].join(', ');
  const rows: BenchRow[] = [
    {
      name: `${n} viewers: segment bytes the server sent (Chromium network log)`,
      value: sum(on.states.map((v) => v.segmentBytesFromServer)),
      unit: 'bytes',
      baselineName: base,
      baseline: sum(off.states.map((v) => v.segmentBytesFromServer)),
      note: 'lower is better',
    },
    // Without its P2P engine the player counts only its start-up fragment, so the P2P-off side is
    // measured where every byte then comes from: the server's segment bytes in the network log.
    {
      name: `${n} viewers: media bytes over HTTP (players' count)`,
      value: http,
      unit: 'bytes',
      baselineName: `${base}: segment bytes the server sent (network log; the player counts nothing without its P2P engine)`,
      baseline: sum(off.states.map((v) => v.segmentBytesFromServer)),
      note: 'lower is better',
    },
    { name: `${n} viewers: bytes the server process wrote (/proc wchar)`, value: on.serverWrittenBytes, unit: 'bytes', baselineName: base, baseline: off.serverWrittenBytes, note: 'lower is better' },
    { name: `${n} viewers: swarm P2P share (peer bytes ÷ all media bytes)`, value: (100 * p2p) / Math.max(1, p2p + http), unit: '%', plain: true, note: 'its baseline (P2P off) is 0 % by construction, checked; goal ≥ 70 % with 5 viewers' },
    {
      name: `${n} viewers: segment bytes the server sent ÷ sizes of the renditions played (${heights})`,
      value: sum(on.states.map((v) => v.segmentBytesFromServer)) / sum(played) * n,
      unit: '× one copy per viewer',
      plain: true,
      note: `${n} would be every viewer fetching its own copy`,
    },
  ];
  on.states.forEach((s, i) => {
    const share = (100 * s.p2pBytes) / Math.max(1, s.p2pBytes + s.httpBytes);
    rows.push({ name: `${n} viewers: viewer ${i + 1} P2P share`, value: share, unit: '%', plain: true, note: `${s.peers} peer links, ${s.rejected} refused, hold ${s.holdMs} ms` });
    rows.push({
      name: `${n} viewers: viewer ${i + 1} start-up (page navigation → playing)`,
      value: s.firstPlayingMs ?? NaN,
      unit: 'ms',
      baselineName: `viewer ${i + 1} with P2P off`,
      baseline: off.states[i].firstPlayingMs ?? NaN,
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
  const run = await runInLoopbackNamespace<SwarmResult>(SCENARIO, [process.env.P2P_SWARMS ?? '3,5,8'], { timeoutMs: 1_200_000, echo: !!process.env.SHOW_BENCH_LOG });
  const r = run.result;
  if (run.code !== 0 || !r || r.error) throw new Error(`swarm scenario failed (exit ${run.code}): ${r?.error ?? 'no result'}\n${run.log.slice(-6000)}`);
  const rows: BenchRow[] = [{ name: `video: ${r.clipSeconds} s, renditions ${JSON.stringify(r.renditionBytes)} bytes`, value: r.clipSeconds, unit: 's', plain: true }];
  for (const on of r.runs.filter((x) => x.p2p)) {
    const off = r.runs.find((x) => !x.p2p && x.viewers === on.viewers);
    if (!off) throw new Error(`no P2P-off run for ${on.viewers} viewers`);
    rows.push(...rowsOf(on, off, r.renditionBytes));
  }
  rows.push({ name: 'bench wall time', value: run.ms / 1000, unit: 's', plain: true });
  return rows;
}

export const name = 'p2p';
