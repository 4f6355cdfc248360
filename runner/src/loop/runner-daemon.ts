import { unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type RunnerJobType } from '@flotilla/shared';
import { hasErrorCode, RunnerApiError } from '../client/errors';
import type { AcceptedRunnerJob } from '../client/runner-client';
import { loadRunnerConfig, updateRunnerConfig, type RunnerConfig, type RunnerPaths } from '../config/config-store';
import { DEFAULT_JOB_TYPES, warmUpFfmpeg, type FfmpegSettings } from '../processors';
import type { Reporter } from '../ui/reporter';
import { RUNNER_VERSION } from '../version';
import { InputCache } from '../workspace/input-cache';
import { Workspace } from '../workspace/workspace';
import { InstanceLink, linkKey } from './instance-link';
import { JobExecution } from './job-execution';
import { JobSlots } from './job-slots';

export interface RunnerOverrides {
  concurrency?: number;
  liveConcurrency?: number;
  ffmpegThreads?: number;
  ffmpegNice?: number;
}

export interface RunnerDaemonSettings {
  paths: RunnerPaths;
  reporter: Reporter;
  jobTypes?: RunnerJobType[];
  /** Heartbeat (`update`) period. Default 8 s: well inside "at least every 10 s". */
  progressIntervalMs?: number;
  /** Fallback check when no wake-up arrives (socket down, missed ping). Default 20 s. */
  pollIntervalMs?: number;
  /** Give up sending a result after this long without a reachable server. Default 30 min. */
  retryMaxElapsedMs?: number;
  /** Reload config.toml when it changes (e.g. `register` from another process). Default true. */
  watchConfig?: boolean;
  /** Values that win over config.toml (CLI flags, the embedded runner's settings). */
  overrides?: RunnerOverrides;
  /** Called after an instance was dropped because the server forgot its runner token. */
  onInstanceDropped?: (url: string, runnerName: string) => Promise<void>;
}

/** Under the work folder: inputs kept between the jobs of one video. */
const INPUT_CACHE_DIR = 'inputs';

/**
 * The `server` daemon: serves every registered instance of one runner id, taking jobs while it has
 * free slots (VOD and live ones apart, see JobSlots). It wakes on `available-jobs`, on start, after each job and on a slow
 * poll, and stops by aborting in-flight jobs with a reason.
 */
export class RunnerDaemon {
  private config!: RunnerConfig;
  private readonly links = new Map<string, InstanceLink>();
  private readonly executions = new Set<JobExecution>();
  private checking = false;
  private recheck = false;
  private stopping: Promise<void> | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly jobTypes: RunnerJobType[];
  private readonly inputs: InputCache;
  private readonly slots: JobSlots;

  constructor(private readonly s: RunnerDaemonSettings) {
    this.jobTypes = s.jobTypes?.length ? s.jobTypes : DEFAULT_JOB_TYPES;
    this.inputs = new InputCache(join(s.paths.workDir, INPUT_CACHE_DIR));
    this.slots = new JobSlots(
      this.jobTypes,
      () => ({ vod: this.config.jobs.concurrency, live: this.config.jobs.liveConcurrency }),
      () => this.executions,
    );
  }

  get runningJobs(): number {
    return this.executions.size;
  }

  get instances(): string[] {
    return [...this.links.values()].map((l) => l.instance.url);
  }

  async start(): Promise<void> {
    const { paths, reporter } = this.s;
    this.config = this.withOverrides(await loadRunnerConfig(paths.configFile));
    // In the background: it overlaps with connecting and downloading the first job's input.
    void warmUpFfmpeg(this.ffmpegSettings()).catch((err: Error) => reporter.warn(`${err.message}: jobs will fail until it can`));
    const swept = await Workspace.sweep(paths.workDir);
    await this.inputs.clear();
    if (swept) reporter.info(`removed ${swept} job folder(s) left by a previous run`);
    this.syncLinks();
    if (this.links.size === 0) {
      reporter.warn(`no registered instance in ${paths.configFile} yet; run "flotilla-runner register" (the daemon picks it up)`);
    }
    reporter.info(
      `flotilla-runner ${RUNNER_VERSION} (id ${paths.id}) serving ${this.links.size} instance(s), ` +
        `concurrency ${this.config.jobs.concurrency} (+ ${this.config.jobs.liveConcurrency} live), job types ${this.jobTypes.join(', ')}`,
    );
    if (this.s.watchConfig ?? true) {
      watchFile(paths.configFile, { interval: 1000 }, () => void this.reloadConfig());
    }
    this.pollTimer = setInterval(() => this.wake(), this.s.pollIntervalMs ?? 20_000);
    this.wake();
  }

  /** Aborts in-flight jobs (the server puts them back to pending) and closes connections. */
  stop(reason = 'Runner stopped'): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.pollTimer);
      unwatchFile(this.s.paths.configFile);
      const running = [...this.executions];
      if (running.length) this.s.reporter.info(`stopping: aborting ${running.length} job(s) (${reason})`);
      for (const execution of running) execution.abort(reason);
      await Promise.allSettled(running.map((e) => e.done));
      await this.inputs.clear().catch((e: Error) => this.s.reporter.warn(`cached inputs not removed: ${e.message}`));
      for (const link of this.links.values()) link.close();
      this.links.clear();
    })();
    return this.stopping;
  }

  /** Ask for jobs soon. Calls while a check runs fold into one more check after it. */
  wake(): void {
    if (this.stopping) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    void (async () => {
      try {
        do {
          this.recheck = false;
          await this.checkOnce();
        } while (this.recheck && !this.stopping);
      } catch (err) {
        this.s.reporter.error(`job check failed: ${(err as Error).message}`);
      } finally {
        this.checking = false;
      }
    })();
  }

  /** One round over the instances, in random order so no server starves the others. */
  private async checkOnce(): Promise<void> {
    const links = [...this.links.values()].sort(() => Math.random() - 0.5);
    for (const link of links) {
      if (!this.slots.wanted().length || this.stopping) return;
      if (!link.available() || !this.links.has(link.key)) continue;
      const source = {
        request: async (jobTypes: RunnerJobType[]) => {
          const { availableJobs } = await link.client.requestJobs({ runnerToken: link.runnerToken, jobTypes, version: RUNNER_VERSION });
          link.succeeded();
          return availableJobs;
        },
        accept: (uuid: string) => this.tryAccept(link, uuid),
      };
      try {
        if (await this.slots.takeFrom(source, (job) => this.launch(link, job), () => !!this.stopping)) this.recheck = true;
      } catch (err) {
        // Only a request lands here (tryAccept handles its own failures).
        await this.onLinkError(link, err as Error);
      }
    }
  }

  private async tryAccept(link: InstanceLink, uuid: string): Promise<AcceptedRunnerJob | null | 'stop'> {
    try {
      return await link.client.acceptJob(uuid, link.runnerToken);
    } catch (err) {
      // Another runner was faster, or the job vanished: try the next offer.
      if (hasErrorCode(err, ErrorCode.RUNNER_JOB_NOT_IN_PENDING_STATE)) return null;
      if (err instanceof RunnerApiError && [400, 404, 409].includes(err.status) && !err.code) return null;
      await this.onLinkError(link, err as Error);
      return 'stop';
    }
  }

  private launch(link: InstanceLink, job: AcceptedRunnerJob): void {
    const execution = new JobExecution({
      client: link.client,
      runnerToken: link.runnerToken,
      job,
      workDir: this.s.paths.workDir,
      ffmpeg: this.ffmpegSettings(),
      reporter: this.s.reporter,
      progressIntervalMs: this.s.progressIntervalMs ?? 8000,
      retryMaxElapsedMs: this.s.retryMaxElapsedMs ?? 30 * 60_000,
      inputCache: this.inputs,
    });
    this.executions.add(execution);
    void execution.done.finally(() => {
      this.executions.delete(execution);
      this.wake();
    });
    execution.start();
  }

  private ffmpegSettings(): FfmpegSettings {
    const f = this.config.ffmpeg;
    return { ffmpegPath: f.ffmpegPath, ffprobePath: f.ffprobePath, threads: f.threads, nice: f.nice, progressTimeoutMs: f.progressTimeout * 1000 };
  }

  private async onLinkError(link: InstanceLink, err: Error): Promise<void> {
    if (hasErrorCode(err, ErrorCode.UNKNOWN_RUNNER_TOKEN)) {
      // The server deleted this runner: forget the instance, as PeerTube's runner does.
      this.s.reporter.warn(`${link.label}: runner token unknown to the server; unregistering it locally`);
      link.close();
      this.links.delete(link.key);
      await updateRunnerConfig(this.s.paths.configFile, (c) => {
        c.registeredInstances = c.registeredInstances.filter((i) => i.runnerToken !== link.runnerToken);
      }).catch((e: Error) => this.s.reporter.error(`cannot update config: ${e.message}`));
      await this.s.onInstanceDropped?.(link.instance.url, link.instance.runnerName).catch((e: Error) =>
        this.s.reporter.error(`${link.label}: cannot register again: ${e.message}`),
      );
      return;
    }
    link.failed(err);
  }

  private async reloadConfig(): Promise<void> {
    if (this.stopping) return;
    try {
      this.config = this.withOverrides(await loadRunnerConfig(this.s.paths.configFile));
    } catch (err) {
      this.s.reporter.error(`config not reloaded: ${(err as Error).message}`);
      return;
    }
    this.syncLinks();
    this.wake();
  }

  private withOverrides(config: RunnerConfig): RunnerConfig {
    const o = this.s.overrides ?? {};
    if (o.concurrency !== undefined) config.jobs.concurrency = o.concurrency;
    if (o.liveConcurrency !== undefined) config.jobs.liveConcurrency = o.liveConcurrency;
    if (o.ffmpegThreads !== undefined) config.ffmpeg.threads = o.ffmpegThreads;
    if (o.ffmpegNice !== undefined) config.ffmpeg.nice = o.ffmpegNice;
    return config;
  }

  /** Opens links for new instances and closes those no longer in the config. */
  private syncLinks(): void {
    const wanted = new Map(this.config.registeredInstances.map((i) => [linkKey(i), i]));
    for (const [key, link] of this.links) {
      if (!wanted.has(key)) {
        this.s.reporter.info(`${link.label}: no longer registered`);
        link.close();
        this.links.delete(key);
      }
    }
    for (const [key, instance] of wanted) {
      if (this.links.has(key)) continue;
      const link = new InstanceLink(instance, () => this.wake(), this.s.reporter, `flotilla-runner/${RUNNER_VERSION}`);
      this.links.set(key, link);
      link.connect();
      this.s.reporter.info(`${link.label}: serving`);
    }
  }
}
