// Live takeover: the runner holding a live is SIGKILLed while the publisher streams, and another
// runner takes the live over (Flotilla; PeerTube ends the live). The figure is the stall viewers
// get: from the kill to the first segment of the new runner stored on the server (polled every
// 100 ms), beside the ordinary gap between two stored segments of the same live before the kill
// (what a viewer waits between segments anyway). Real server, RTMP ingest, two `flotilla-runner`
// processes, small-latency mode (2 s segments), copy mode. Goal: ≤ 5 s. Each trial kills at a
// different point of the segment cycle.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultList } from '@flotilla/shared';
import { createLive, Publisher, RunnerCli } from '../../server/test/helpers/live';
import { newRegistrationToken, waitFor } from '../../server/test/helpers/runners';
import { freePort, REPO_ROOT, TestServer } from '../../server/test/helpers/test-server';
import type { BenchRow } from './report';

const TRIALS = Number(process.env.LIVE_TAKEOVER_TRIALS ?? 3);
type Job = { uuid: string; type: string; state: { id: number }; runner: { name: string } | null };

/**
 * Where the stall went: the server's "runner gone" warning and the taking-over runner's
 * `live timing:` lines (wall-clock ms), as offsets from the kill.
 */
function traceAfterKill(serverLog: string, others: RunnerCli[], killedAt: number, storedAt: number): string {
  const events: [number, string][] = [];
  for (const line of serverLog.split('\n')) {
    if (!line.includes('live runner gone') && !line.includes('live job failed')) continue;
    const time = /"time":"([^"]+)"/.exec(line)?.[1];
    const msg = /"msg":"([^"]+)"/.exec(line)?.[1];
    if (time && msg && Date.parse(time) >= killedAt) events.push([Date.parse(time), `server: ${msg}`]);
  }
  for (const r of others) {
    for (const m of r.output.matchAll(/live timing: (.+?) at (\d+) /g)) {
      if (Number(m[2]) >= killedAt) events.push([Number(m[2]), `${r.name}: ${m[1]}`]);
    }
  }
  events.push([storedAt, 'bench: first new segment seen stored']);
  return events.sort((a, b) => a[0] - b[0]).map(([t, what]) => `    +${t - killedAt} ms  ${what}\n`).join('');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function liveTakeoverBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-takeover-'));
  const server = await TestServer.start({
    log: { level: 'warn' },
    live: { enabled: true, rtmp: { port: await freePort(), hostname: '127.0.0.1' }, transcoding: { enabled: false } },
    rates_limit: { api: { max: 100_000 } },
  });
  const admin = await server.login();
  const runners: RunnerCli[] = [];
  let spawned = 0;
  const addRunner = async () => runners.push(await RunnerCli.start(server.url, await newRegistrationToken(admin), `takeover-${spawned++}`, dir, REPO_ROOT));
  const rows: BenchRow[] = [];
  try {
    await addRunner();
    await addRunner();
    const channelId = (await admin.get<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
    const liveJobs = async () => (await admin.get<ResultList<Job>>('/api/v1/runners/jobs', { count: 20, sort: '-createdAt' })).data.filter((j) => j.type === 'live-rtmp-hls-transcoding');
    const stalls: number[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const { id, uuid, live } = await createLive(admin, channelId, { name: `takeover ${trial}`, latencyMode: 3 });
      const publisher = Publisher.start(`${live.rtmpUrl}/${live.streamKey}`);
      // When each chunk was first seen stored.
      const seen = new Map<string, number>();
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const res = await fetch(`${server.url}/static/streaming-playlists/hls/${uuid}/segments-sha256.json`).catch(() => null);
          if (res?.ok) for (const name of Object.keys((await res.json()) as Record<string, string>)) if (!seen.has(name)) seen.set(name, Date.now());
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const seq = (name: string) => Number(/-(\d+)\.ts$/.exec(name)?.[1] ?? -1);
      try {
        const first = await waitFor(async () => (await liveJobs()).find((j) => j.state.id === 2 && j.runner), 60_000, 200);
        await waitFor(async () => seen.size >= 5, 60_000, 100);
        // A different point of the 2 s segment cycle in each trial.
        await new Promise((r) => setTimeout(r, ((trial - 1) * 700) % 2000));
        const before = [...seen.entries()].sort((a, b) => a[1] - b[1]);
        const gaps = before.slice(1).map(([, t], i) => t - before[i]![1]);
        const lastBefore = Math.max(...before.map(([n]) => seq(n)));
        const holder = runners.find((r) => r.name === first.runner!.name)!;
        await holder.kill('SIGKILL');
        const killedAt = Date.now();
        const firstNew = await waitFor(async () => [...seen.entries()].filter(([n]) => seq(n) > lastBefore).sort((a, b) => a[1] - b[1])[0], 60_000, 50);
        const stall = firstNew[1] - killedAt;
        stalls.push(stall);
        process.stdout.write(`takeover trial ${trial}: first new segment stored ${stall} ms after the kill (ordinary gap ${median(gaps)} ms)\n`);
        process.stdout.write(traceAfterKill(server.output, runners.filter((r) => r !== holder), killedAt, firstNew[1]));
        rows.push({
          name: `trial ${trial}: runner SIGKILL → first segment of the new runner stored (stall)`,
          value: stall,
          unit: 'ms',
          baselineName: `ordinary gap between two stored segments before the kill, same live (median of ${gaps.length})`,
          baseline: median(gaps),
          note: 'lower is better; goal ≤ 5000 ms',
        });
        runners.splice(runners.indexOf(holder), 1);
      } finally {
        polling = false;
        await poll;
        await publisher.stop();
      }
      await waitFor(async () => (await admin.get<{ state: { id: number } }>(`/api/v1/videos/${id}`)).state.id === 5, 30_000, 200);
      await addRunner();
    }
    rows.push({
      name: `worst stall of ${TRIALS} takeovers`,
      value: Math.max(...stalls),
      unit: 'ms',
      baselineName: 'ordinary gap between two stored segments, median of the trials',
      baseline: median(rows.map((r) => r.baseline!)),
      note: 'lower is better; goal ≤ 5000 ms',
    });
    return rows;
  } finally {
    for (const r of runners) await r.kill();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
