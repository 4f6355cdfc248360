/**
 * Transcoding with real `flotilla-runner` processes and real ffmpeg, side by side in one run:
 * a runner job against the same ffmpeg command run directly, upload end → first playable rendition
 * on the copy (remux) path and on an encode path, and the whole ladder with 2 runners against 1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildFfprobeArgs,
  buildHlsArgs,
  computeOutputFps,
  decideStreamCopy,
  parseFfprobeOutput,
  RUNNER_JOB_FINAL_STATES,
  RunnerJobState,
  type User,
} from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { newRegistrationToken, waitFor } from '../../server/test/helpers/runners';
import { REPO_ROOT, TestServer } from '../../server/test/helpers/test-server';
import { legacyUpload } from '../../server/test/helpers/videos';
import type { BenchRow } from './report';

const CLIP_SECONDS = 60;
const LADDER = [1080, 720, 480, 360, 240];
/** Rungs of the H.264 clip that are encoded (1080p is remuxed): their runner jobs are compared with bare ffmpeg. */
const ENCODED_RUNGS = [720, 480, 360, 240];
const FFMPEG_THREADS = 2;
/** 1-runner ladders of the H.264 clip, each between two direct runs of the same commands. */
const LADDER_RUNS = 3;

/**
 * 60 s of 1080p25 with a tone. The H.264/AAC one is remuxed for its 1080p rung (`decideStreamCopy`:
 * browser-playable H.264 4:2:0, AAC); the MPEG-4 Part 2 one in MKV must be encoded for every rung.
 * Keyframes every 2 s, as a camera or an editor would write them (copied segments follow them).
 */
function makeClips(dir: string): { copyable: string; encoded: string } {
  const src = ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(CLIP_SECONDS)];
  const copyable = join(dir, 'clip-1080p-h264.mp4');
  const encoded = join(dir, 'clip-1080p-mpeg4.mkv');
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...src, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  ff(['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p', '-c:a', 'aac', copyable]);
  ff(['-c:v', 'mpeg4', '-q:v', '3', '-g', '50', '-c:a', 'aac', encoded]);
  return { copyable, encoded };
}

/** A real `flotilla-runner server` daemon (as the e2e test starts it), in its own process group. */
class RunnerProcess {
  output = '';
  /** Its socket has connected once (kept apart from `output`, whose tail is all that is kept). */
  socketConnected = false;
  /** Per job uuid, when the runner logged each phase (`--ui log` lines: "<iso> info job <uuid> <phase>"). */
  readonly phases = new Map<string, Record<string, number>>();
  private partial = '';
  private constructor(readonly name: string, readonly proc: ChildProcess) {}

  static async start(server: TestServer, admin: ApiClient, name: string, dir: string): Promise<RunnerProcess> {
    const token = await newRegistrationToken(admin);
    const home = await mkdtemp(join(dir, `${name}-`));
    const proc = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'runner/dist/cli.js'), '--id', name, '--config-dir', join(home, 'config'), 'server',
        '--url', server.url, '--registration-token', token, '--runner-name', name,
        '--work-dir', join(home, 'work'), '--ui', 'log', '--concurrency', '1',
        '--ffmpeg-threads', String(FFMPEG_THREADS), '--ffmpeg-nice', '0',
      ],
      // Its own group: if it must be SIGKILLed, its ffmpeg goes with it.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const r = new RunnerProcess(name, proc);
    proc.stdout!.on('data', (c: Buffer) => r.collect(c.toString()));
    proc.stderr!.on('data', (c: Buffer) => r.collect(c.toString()));
    return r;
  }

  private collect(text: string): void {
    this.output = (this.output + text).slice(-20_000);
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      if (/: socket connected\b/.test(line)) this.socketConnected = true;
      const m = /^(\S+) info job ([0-9a-f-]{36}) (started|downloading|transcoding|uploading|completed)\b/.exec(line);
      if (!m) continue;
      const phases = this.phases.get(m[2]) ?? {};
      phases[m[3]] = Date.parse(m[1]);
      this.phases.set(m[2], phases);
    }
  }

  /** Runner log time of a phase of a job (ms since epoch). */
  phaseAt(jobUuid: string, phase: string): number {
    const t = this.phases.get(jobUuid)?.[phase];
    if (t === undefined) throw new Error(`${this.name} logged no ${phase} phase for job ${jobUuid}`);
    return t;
  }

  /** How long ffmpeg ran inside a job, from the runner's own log. */
  ffmpegMs(jobUuid: string): number {
    const p = this.phases.get(jobUuid);
    if (!p?.transcoding || !p.uploading) throw new Error(`${this.name} logged no transcoding phase for job ${jobUuid}`);
    return p.uploading - p.transcoding;
  }

  private get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM (the daemon aborts its jobs and kills its ffmpeg), SIGKILL to the group after 10 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-this.proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
}

type JobRow = { uuid: string; state: number; resolution: number; started_at: Date | null; finished_at: Date | null; payload: { output: { fps: number } } };
type Details = { state: { id: number }; streamingPlaylists: { files: unknown[] }[] };

interface Watched {
  uuid: string;
  /** Upload end → video published with a streaming playlist holding a rendition. */
  firstPlayableMs: number;
  /** Date.now() when the upload was answered. */
  uploadEnd: number;
  /** Upload end → last runner job finished (when the ladder was awaited). */
  ladderMs?: number;
  jobs: JobRow[];
}

class Bench {
  constructor(
    readonly server: TestServer,
    readonly admin: ApiClient,
    readonly channelId: number,
  ) {}

  jobs(uuid: string): Promise<JobRow[]> {
    return this.server.sql<JobRow>('SELECT uuid, state, resolution, started_at, finished_at, payload FROM runner_job WHERE video_uuid = $1', [uuid]);
  }

  /** Until these runners are registered and their sockets (job wake-ups) connected, as each logs it. */
  async waitRunners(runners: RunnerProcess[]): Promise<void> {
    await waitFor(async () => (await this.admin.get<{ data: unknown[] }>('/api/v1/runners')).data.length >= runners.length, 30_000, 100);
    await waitFor(async () => runners.every((r) => r.socketConnected), 30_000, 50);
  }

  /** Uploads a clip and times it from the upload's answer; `ladder` also waits for every job. */
  async run(file: string, name: string, ladder: boolean): Promise<Watched> {
    const mime = file.endsWith('.mkv') ? 'video/x-matroska' : 'video/mp4';
    const { video } = await legacyUpload(this.admin, file, { name, channelId: String(this.channelId) }, mime);
    const uploadEnd = Date.now();
    await waitFor(async () => {
      const d = await this.admin.get<Details>(`/api/v1/videos/${video.uuid}`);
      return d.state.id === 1 && (d.streamingPlaylists[0]?.files.length ?? 0) > 0;
    }, 300_000, 100);
    const firstPlayableMs = Date.now() - uploadEnd;
    if (!ladder) return { uuid: video.uuid, firstPlayableMs, uploadEnd, jobs: await this.jobs(video.uuid) };
    const jobs = await waitFor(async () => {
      const rows = await this.jobs(video.uuid);
      const bad = rows.find((j) => j.state !== RunnerJobState.COMPLETED && (RUNNER_JOB_FINAL_STATES as readonly number[]).includes(j.state));
      if (bad) throw new Error(`job ${bad.uuid} (${bad.resolution}p) ended in state ${bad.state}`);
      return rows.length === LADDER.length && rows.every((j) => j.state === RunnerJobState.COMPLETED) ? rows : null;
    }, 400_000, 3_000); // slow polling: the times come from finished_at, and each poll (a new PostgreSQL connection) takes CPU from the jobs being measured
    const lastFinish = Math.max(...jobs.map((j) => j.finished_at!.getTime()));
    return { uuid: video.uuid, firstPlayableMs, uploadEnd, ladderMs: lastFinish - uploadEnd, jobs };
  }
}

/** The command the runner's vod-hls processor builds for this input and rung, run directly. */
async function directFfmpegMs(input: string, dir: string, resolution: number, fps: number): Promise<number> {
  const probe = parseFfprobeOutput(execFileSync('ffprobe', buildFfprobeArgs(input)).toString());
  const copy = decideStreamCopy(probe, { resolution, fps }).copy;
  const args = buildHlsArgs({
    input, probe, resolution, fps, copy, threads: FFMPEG_THREADS, progress: true,
    videoFileName: `direct-${resolution}-fragmented.mp4`, playlistFileName: `direct-${resolution}.m3u8`,
  });
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ffmpeg', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${err}`))));
  });
  return performance.now() - t0;
}

/** CPU seconds (user + system) a process itself has used so far, from /proc (its children not included). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 → indexes 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const jobMs = (j: JobRow) => j.finished_at!.getTime() - j.started_at!.getTime();

export async function transcodingBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-transcoding-'));
  const runners: RunnerProcess[] = [];
  let server: TestServer | null = null;
  try {
    const clips = makeClips(dir);
    // This machine's speed drifts by up to ±10 % over minutes, so the runner's ladders and the direct
    // commands take turns: direct, ladder, direct, … ladder, direct. Each ladder is compared with the
    // mean of the direct runs just before and just after it.
    const probeOf = parseFfprobeOutput(execFileSync('ffprobe', buildFfprobeArgs(clips.copyable)).toString());
    const fpsOf = (r: number) => computeOutputFps({ inputFps: probeOf.video!.fps, resolution: r, isOriginResolution: r === 1080 });
    const directAll = async () => {
      let ms = 0;
      for (const r of ENCODED_RUNGS) ms += await directFfmpegMs(clips.copyable, dir, r, fpsOf(r));
      return ms;
    };
    const direct = [await directAll()];
    server = await TestServer.start({
      rates_limit: { enabled: false },
      log: { level: 'warn' },
      transcoding: {
        enabled: true,
        keep_original: true,
        web_videos: { enabled: false },
        hls: { enabled: true },
        resolutions: { '240p': true, '360p': true, '480p': true, '720p': true, '1080p': true },
      },
    });
    const admin = await server.login();
    const bench = new Bench(server, admin, (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id);

    // 1 runner: the copyable clip, first rendition and whole ladder, LADDER_RUNS times.
    runners.push(await RunnerProcess.start(server, admin, 'bench-a', dir));
    await bench.waitRunners(runners);
    let one: Watched | null = null;
    let cpu = { server: 0, runner: 0 };
    let runnerMs = 0;
    let bareMs = 0;
    let insideMs = 0;
    let beforeMs = 0;
    let afterMs = 0;
    const perRun: string[] = [];
    /** Each 1-runner ladder's upload end → last job finished: the 2-runner ladder's baseline is their mean. */
    const oneLadders: number[] = [];
    for (let i = 0; i < LADDER_RUNS; i++) {
      const cpu0 = { server: cpuSeconds(server.proc!.pid!), runner: cpuSeconds(runners[0].proc.pid!) };
      const ladder = await bench.run(clips.copyable, `h264 1 runner, run ${i + 1}`, true);
      oneLadders.push(ladder.ladderMs!);
      if (!one) {
        one = ladder;
        cpu = { server: cpuSeconds(server.proc!.pid!) - cpu0.server, runner: cpuSeconds(runners[0].proc.pid!) - cpu0.runner };
      }
      let ms = 0;
      for (const r of ENCODED_RUNGS) {
        const job = ladder.jobs.find((j) => j.resolution === r)!;
        if (job.payload.output.fps !== fpsOf(r)) throw new Error(`${r}p job at ${job.payload.output.fps} fps, direct run at ${fpsOf(r)}`);
        ms += jobMs(job);
        insideMs += runners[0].ffmpegMs(job.uuid);
        // Accepted → ffmpeg starts (input download or revalidation, probe); ffmpeg done → server stored it.
        beforeMs += runners[0].phaseAt(job.uuid, 'transcoding') - job.started_at!.getTime();
        afterMs += job.finished_at!.getTime() - runners[0].phaseAt(job.uuid, 'uploading');
      }
      runnerMs += ms;
      // The same rungs' ffmpeg commands, run directly while nothing else of ours works.
      direct.push(await directAll());
      // This ladder's baseline: the mean of the direct runs around it.
      const around = (direct[i] + direct[i + 1]) / 2;
      bareMs += around;
      perRun.push(`run ${i + 1}: ${(ms / 1000).toFixed(2)} s ÷ ${(around / 1000).toFixed(2)} s = ${(ms / around).toFixed(3)}`);
    }
    if (!one) throw new Error('no ladder ran');
    const jobsMeasured = LADDER_RUNS * ENCODED_RUNGS.length;

    // 2 runners: the same clip's ladder.
    runners.push(await RunnerProcess.start(server, admin, 'bench-b', dir));
    await bench.waitRunners(runners);
    const two = await bench.run(clips.copyable, 'h264 2 runners', true);
    await runners[1].stop();

    // 1 runner again: the clip that must be encoded, up to its first rendition (the rest is cut short).
    const encoded = await bench.run(clips.encoded, 'mpeg4 1 runner', false);

    const rungs = ENCODED_RUNGS.map((r) => `${r}p`).join('+');
    const firstOf = (w: Watched) => [...w.jobs].filter((j) => j.finished_at).sort((a, b) => a.finished_at!.getTime() - b.finished_at!.getTime())[0];
    const encodedFirst = firstOf(encoded);
    // Where the copy path's wait goes: upload answered → job accepted → ffmpeg → result sent → stored.
    const remux = firstOf(one);
    const r0 = runners[0];
    const steps = [
      ['accepted', remux.started_at!.getTime() - one.uploadEnd],
      ['download+probe', r0.phaseAt(remux.uuid, 'transcoding') - remux.started_at!.getTime()],
      ['ffmpeg', r0.phaseAt(remux.uuid, 'uploading') - r0.phaseAt(remux.uuid, 'transcoding')],
      ['upload+store', remux.finished_at!.getTime() - r0.phaseAt(remux.uuid, 'uploading')],
      ['seen published', one.uploadEnd + one.firstPlayableMs - remux.finished_at!.getTime()],
    ] as const;
    const rows: BenchRow[] = [
      {
        name: `runner job wall time (started_at → finished_at), sum of the ${rungs} jobs of the 60 s 1080p clip × ${LADDER_RUNS} ladders, 1 runner, ${FFMPEG_THREADS} threads`,
        value: runnerMs / 1000, unit: 's', baselineName: `the same ffmpeg commands (shared buildHlsArgs) run directly, for each ladder the mean of a run just before and one just after it`, baseline: bareMs / 1000,
        note: `goal ≤ 1.05; ${LADDER_RUNS} ladders taking turns with ${LADDER_RUNS + 1} direct runs (${direct.map((d) => (d / 1000).toFixed(1)).join(' / ')} s); ${perRun.join('; ')}`,
      },
      {
        name: 'the same runner jobs, wall time',
        value: runnerMs / 1000, unit: 's', baselineName: "ffmpeg's own time inside those jobs (runner log: transcoding → uploading)", baseline: insideMs / 1000,
        note: 'the runner and server overhead alone (download, probe, upload, completion), insensitive to CPU noise',
      },
      {
        name: 'CPU used by the server and runner Node processes (not ffmpeg) during the first 1-runner ladder (upload handling included)',
        value: cpu.server + cpu.runner, unit: 's',
        baselineName: 'the ladder\'s wall time', baseline: one.ladderMs! / 1000,
        note: `server ${cpu.server.toFixed(1)} s, runner ${cpu.runner.toFixed(1)} s: CPU taken from ffmpeg on 2 cores`,
      },
      {
        name: 'per job, accepted → ffmpeg started (input download or revalidation, probe), mean',
        value: beforeMs / jobsMeasured, unit: 'ms',
        baselineName: 'ffmpeg\'s own time per job, mean (same jobs)', baseline: insideMs / jobsMeasured, note: 'lower is better: the share of a job spent before ffmpeg',
      },
      {
        name: 'per job, ffmpeg done → result stored by the server (upload, hashes, index, publish), mean',
        value: afterMs / jobsMeasured, unit: 'ms',
        baselineName: 'ffmpeg\'s own time per job, mean (same jobs)', baseline: insideMs / jobsMeasured, note: 'lower is better: the share of a job spent after ffmpeg',
      },
    ];
    rows.push(
      {
        name: 'upload end → first playable rendition, 60 s 1080p H.264/AAC (1080p rung remuxed), 1 runner',
        value: one.firstPlayableMs / 1000, unit: 's', baselineName: `ffmpeg's own time for that first (${remux.resolution}p) rendition, runner log`, baseline: runners[0].ffmpegMs(remux.uuid) / 1000,
        note: `lower is better, the rest is the pipeline; ${remux.resolution}p job: ${steps.map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`,
      },
      {
        name: `upload end → first playable rendition, same clip as MPEG-4 Part 2/AAC in MKV (every rung encoded; the first is ${encodedFirst?.resolution}p), 1 runner`,
        value: encoded.firstPlayableMs / 1000, unit: 's', baselineName: `ffmpeg's own time for that first (${encodedFirst?.resolution}p) rendition, runner log`,
        baseline: runners[0].ffmpegMs(encodedFirst!.uuid) / 1000, note: 'lower is better, the rest is the pipeline',
      },
      {
        name: 'upload end → first playable rendition, copy path',
        value: one.firstPlayableMs / 1000, unit: 's', baselineName: 'encode path (MPEG-4 Part 2 input)', baseline: encoded.firstPlayableMs / 1000, note: 'lower is better',
      },
      {
        name: `upload end → full ladder (${LADDER.join('/')}p, H.264 clip), 2 runners × ${FFMPEG_THREADS} ffmpeg threads on ${cpus().length} cores`,
        value: two.ladderMs! / 1000, unit: 's', baselineName: `the same with 1 runner, mean of the ${oneLadders.length} ladders above`,
        baseline: oneLadders.reduce((a, b) => a + b, 0) / oneLadders.length / 1000,
        note: `lower is better; 1-runner ladders ${oneLadders.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s`,
      },
    );
    return rows;
  } finally {
    for (const r of runners) await r.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
