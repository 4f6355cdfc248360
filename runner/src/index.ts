import type { RunnerJobType } from '@flotilla/shared';
import { ensureRegistered } from './commands/registration';
import { normalizeUrl, resolveRunnerPaths, type RunnerPaths } from './config/config-store';
import { RunnerDaemon, type RunnerOverrides } from './loop/runner-daemon';
import { createReporter, type Reporter } from './ui/reporter';

export interface StartRunnerDaemonOptions {
  /** Runner id: selects `$XDG_CONFIG_HOME/flotilla-runner/<id>/config.toml`. Default "default". */
  id?: string;
  /** Use this folder for config.toml instead of the XDG one. */
  configDir?: string;
  /** Parent of the per-job work folders. Default `$XDG_CACHE_HOME/flotilla-runner/<id>/jobs`. */
  workDir?: string;
  /** Register on this server first unless already registered under that name. */
  register?: { url: string; registrationToken: string; runnerName: string; runnerDescription?: string };
  jobTypes?: RunnerJobType[];
  /** Win over config.toml: concurrency, ffmpeg threads and nice. */
  overrides?: RunnerOverrides;
  /** 'auto' = progress bars when stderr is a terminal, log lines otherwise. */
  ui?: 'auto' | 'tty' | 'log' | 'silent';
  reporter?: Reporter;
  progressIntervalMs?: number;
  pollIntervalMs?: number;
  retryMaxElapsedMs?: number;
  watchConfig?: boolean;
  /** Stop (aborting jobs with a reason) on SIGINT/SIGTERM, then exit the process. Default false. */
  handleSignals?: boolean;
}

export interface RunnerDaemonHandle {
  daemon: RunnerDaemon;
  paths: RunnerPaths;
  stop(reason?: string): Promise<void>;
}

/**
 * Starts the runner daemon in this process: the programmatic twin of `flotilla-runner server`.
 * The server's embedded runner may call this, or spawn `node runner/dist/cli.js server ...`.
 */
export async function startRunnerDaemon(options: StartRunnerDaemonOptions = {}): Promise<RunnerDaemonHandle> {
  const paths = resolveRunnerPaths(options);
  const reporter = options.reporter ?? createReporter(options.ui ?? 'auto');
  if (options.register) await ensureRegistered({ configFile: paths.configFile, ...options.register });

  const daemon = new RunnerDaemon({
    paths,
    reporter,
    jobTypes: options.jobTypes,
    progressIntervalMs: options.progressIntervalMs,
    pollIntervalMs: options.pollIntervalMs,
    retryMaxElapsedMs: options.retryMaxElapsedMs,
    watchConfig: options.watchConfig,
    overrides: options.overrides,
    // The embedded runner must survive its server forgetting it (database reset): register again.
    onInstanceDropped: options.register
      ? async (url, runnerName) => {
          const r = options.register!;
          if (normalizeUrl(url) !== normalizeUrl(r.url) || runnerName !== r.runnerName) return;
          await ensureRegistered({ configFile: paths.configFile, ...r });
          reporter.info(`registered again on ${r.url} as "${r.runnerName}"`);
        }
      : undefined,
  });
  await daemon.start();

  const stop = async (reason?: string) => {
    await daemon.stop(reason);
    reporter.close();
  };
  if (options.handleSignals) installSignalHandlers(stop, reporter);
  return { daemon, paths, stop };
}

function installSignalHandlers(stop: (reason: string) => Promise<void>, reporter: Reporter): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      reporter.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    reporter.info(`${signal} received: aborting jobs and exiting`);
    void stop(`Runner stopped (${signal})`).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', (err) => {
    reporter.error(`uncaught exception: ${err.stack ?? err.message}`);
    if (stopping) process.exit(1);
    stopping = true;
    void stop(`Runner crashed: ${err.message}`).finally(() => process.exit(1));
  });
}

export { RunnerDaemon, type RunnerOverrides } from './loop/runner-daemon';
export { RunnerClient } from './client/runner-client';
export { RunnerApiError, RunnerNetworkError } from './client/errors';
export { registerRunner, unregisterRunner, listRegistered, ensureRegistered } from './commands/registration';
export { resolveRunnerPaths, loadRunnerConfig, type RunnerConfig, type RunnerPaths } from './config/config-store';
export type { Reporter } from './ui/reporter';
