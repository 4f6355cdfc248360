import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import { REPO_ROOT, type AppConfig } from '../../config/config';
import { localFileExists, writePrivateFile } from '../media-files';
import { RunnersService } from '../runners/runners.service';

export const EMBEDDED_RUNNER_NAME = 'embedded';
const RUNNER_CLI = join(REPO_ROOT, 'runner', 'dist', 'cli.js');

/**
 * Runs the child under a tiny wrapper: when the server dies, even by SIGKILL, the IPC channel
 * closes and the runner stops itself (aborting its jobs) instead of outliving the server.
 */
const WRAPPER = `
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
require(process.env.FLOTILLA_RUNNER_CLI).main(['node', 'flotilla-runner', ...process.argv.slice(1)])
  .catch((err) => { console.error('flotilla-runner: ' + err.message); process.exit(1); });
`;

const tomlString = (s: string) => JSON.stringify(s);

/**
 * `runners.embedded`: the server starts the same runner a remote machine would run, as a child
 * process registered to itself over loopback (runner row created in the database, config.toml
 * written where `--config-dir` points). Restarted with back-off if it dies; stopped on shutdown.
 */
@Injectable()
export class EmbeddedRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly runners: RunnersService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get configDir(): string {
    return join(this.config.paths.root, 'embedded-runner');
  }

  onApplicationBootstrap(): void {
    const { live, runners } = this.config;
    if (live.enabled && !live.transcoding.remote_runners.enabled && (!runners.embedded.enabled || runners.embedded.live_concurrency === 0)) {
      logger.warn('live.transcoding.remote_runners.enabled is false, so lives go to the embedded runner only, but it takes none (runners.embedded.enabled, live_concurrency): no live will get on air');
    }
    if (!this.config.runners.embedded.enabled) return;
    if (!localFileExists(RUNNER_CLI)) {
      logger.error({ cli: RUNNER_CLI }, 'embedded runner enabled but the runner is not built (npx tsc -b runner)');
      return;
    }
    // The runner needs the port, known once the server listens.
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as import('node:http').Server;
    const go = () => void this.start().catch((err: Error) => logger.error({ err }, 'cannot start the embedded runner'));
    if (httpServer.listening) go();
    else httpServer.once('listening', go);
  }

  /** A runner row of its own (created once, reused across restarts) and the config.toml pointing at us. */
  private async prepare(): Promise<void> {
    const runner = await this.runners.ensureRunner(EMBEDDED_RUNNER_NAME, 'Runner started by the server itself (runners.embedded)', '127.0.0.1');
    const e = this.config.runners.embedded;
    const toml = [
      '# Written by the Flotilla server at each start (runners.embedded); edits are overwritten.',
      '[jobs]',
      `concurrency = ${e.concurrency}`,
      `liveConcurrency = ${e.live_concurrency}`,
      '',
      '[ffmpeg]',
      `threads = ${e.ffmpeg_threads}`,
      `nice = ${e.ffmpeg_nice}`,
      '',
      '[[registeredInstances]]',
      `url = ${tomlString(this.loopbackUrl())}`,
      `runnerToken = ${tomlString(runner.runnerToken)}`,
      `runnerName = ${tomlString(runner.name)}`,
      '',
    ].join('\n');
    await writePrivateFile(this.configDir, 'config.toml', toml);
  }

  private loopbackUrl(): string {
    const address = this.adapterHost.httpAdapter.getHttpServer().address() as AddressInfo | null;
    const port = address?.port ?? this.config.listen.port;
    const host = this.config.listen.hostname;
    const loopback = host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host;
    return `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
  }

  private async start(): Promise<void> {
    if (this.stopping) return;
    await this.prepare();
    const child = spawn(
      process.execPath,
      ['-e', WRAPPER, '--', '--id', 'embedded', '--config-dir', this.configDir, 'server', '--ui', 'log', '--work-dir', join(this.config.paths.tmp, 'embedded-runner')],
      {
        env: { ...process.env, FLOTILLA_RUNNER_CLI: RUNNER_CLI },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    this.child = child;
    this.startedAt = Date.now();
    logger.info({ runnerPid: child.pid, url: this.loopbackUrl() }, 'embedded runner started');
    const log = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logger.info({ runner: EMBEDDED_RUNNER_NAME, stream }, line);
    };
    child.stdout!.on('data', log('stdout'));
    child.stderr!.on('data', log('stderr'));
    child.once('exit', (code, signal) => {
      this.child = null;
      if (this.stopping) return;
      // A runner that lived a while gets restarted at once; a crash loop backs off up to a minute.
      if (Date.now() - this.startedAt > 60_000) this.restarts = 0;
      const delay = Math.min(60_000, 1000 * 2 ** this.restarts++);
      logger.warn({ code, signal, restartInMs: delay }, 'embedded runner exited; restarting');
      this.restartTimer = setTimeout(() => void this.start().catch((err: Error) => logger.error({ err }, 'cannot restart the embedded runner')), delay);
      this.restartTimer.unref();
    });
  }

  /** Before the HTTP server closes, so the runner can still tell us it aborts its jobs. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** For tests and admin tooling: the child's pid, if running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}
