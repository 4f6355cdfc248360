import { Command, InvalidArgumentError, Option } from 'commander';
import { RUNNER_JOB_TYPES, type RunnerJobType } from '@flotilla/shared';
import { listRegistered, registerRunner, unregisterRunner } from './commands/registration';
import { resolveRunnerPaths } from './config/config-store';
import { startRunnerDaemon } from './index';
import { RUNNER_VERSION } from './version';

/**
 * `flotilla-runner`: register with servers, then run `server` to work for them. Commands that
 * change registrations edit config.toml; a running daemon reloads it.
 */
interface GlobalOptions {
  id: string;
  configDir?: string;
}

interface ServerCommandOptions {
  enableJob?: RunnerJobType[];
  url?: string;
  registrationToken?: string;
  runnerName?: string;
  runnerDescription?: string;
  workDir?: string;
  concurrency?: number;
  liveConcurrency?: number;
  ffmpegThreads?: number;
  ffmpegNice?: number;
  ui: 'auto' | 'tty' | 'log';
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

function paths(cmd: Command) {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  return resolveRunnerPaths({ id: g.id, configDir: g.configDir });
}

function buildProgram(): Command {
  const program = new Command('flotilla-runner')
    .description('Transcoding runner for Flotilla and PeerTube instances (PeerTube runner protocol)')
    .version(RUNNER_VERSION)
    .option('--id <id>', 'runner id: one config.toml per id', 'default')
    .option('--config-dir <dir>', 'folder of config.toml (default $XDG_CONFIG_HOME/flotilla-runner/<id>)')
    .showHelpAfterError();

  program
    .command('server')
    .description('run the daemon: take and process jobs of every registered instance')
    .addOption(new Option('--enable-job <type...>', 'only take these job types').choices([...RUNNER_JOB_TYPES]))
    .option('--url <url>', 'with --registration-token and --runner-name: register there first unless already registered')
    .option('--registration-token <token>')
    .option('--runner-name <name>')
    .option('--runner-description <description>')
    .option('--concurrency <n>', 'VOD jobs at once (overrides config.toml)', positiveInt)
    .option('--live-concurrency <n>', 'live jobs at once, beside the VOD ones; 0 = none (overrides config.toml)', nonNegativeInt)
    .option('--ffmpeg-threads <n>', 'ffmpeg -threads, 0 = auto (overrides config.toml)', nonNegativeInt)
    .option('--ffmpeg-nice <n>', 'niceness of ffmpeg, 0-19 (overrides config.toml)', nonNegativeInt)
    .option('--work-dir <dir>', 'parent of the per-job temp folders (default $XDG_CACHE_HOME/flotilla-runner/<id>/jobs)')
    .addOption(new Option('--ui <mode>', 'progress display').choices(['auto', 'tty', 'log']).default('auto'))
    .action(async (opts: ServerCommandOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const register = opts.url && opts.registrationToken && opts.runnerName
        ? { url: opts.url, registrationToken: opts.registrationToken, runnerName: opts.runnerName, runnerDescription: opts.runnerDescription }
        : undefined;
      await startRunnerDaemon({
        id: g.id, configDir: g.configDir, workDir: opts.workDir, jobTypes: opts.enableJob, register, ui: opts.ui, handleSignals: true,
        overrides: { concurrency: opts.concurrency, liveConcurrency: opts.liveConcurrency, ffmpegThreads: opts.ffmpegThreads, ffmpegNice: opts.ffmpegNice },
      });
    });

  program
    .command('register')
    .description('register this runner on a server (works whether or not the daemon runs)')
    .requiredOption('--url <url>', 'server URL, http:// or https://')
    .requiredOption('--registration-token <token>', 'registration token from the server admin')
    .requiredOption('--runner-name <name>', 'name of this runner on that server (unique there)')
    .option('--runner-description <description>')
    .action(async (opts: { url: string; registrationToken: string; runnerName: string; runnerDescription?: string }, cmd: Command) => {
      const p = paths(cmd);
      const instance = await registerRunner({ configFile: p.configFile, ...opts });
      console.log(`Registered "${instance.runnerName}" on ${instance.url} (config: ${p.configFile})`);
    });

  program
    .command('unregister')
    .description('unregister this runner from a server and forget it')
    .requiredOption('--url <url>', 'server URL')
    .requiredOption('--runner-name <name>', 'name used at registration')
    .action(async (opts: { url: string; runnerName: string }, cmd: Command) => {
      await unregisterRunner({ configFile: paths(cmd).configFile, ...opts });
      console.log(`Unregistered "${opts.runnerName}" from ${opts.url}`);
    });

  program
    .command('list-registered')
    .description('list the servers this runner id is registered on')
    .action(async (_opts: unknown, cmd: Command) => {
      const instances = await listRegistered(paths(cmd).configFile);
      if (instances.length === 0) console.log('No registered instance.');
      for (const i of instances) {
        console.log(`${i.url}\t${i.runnerName}${i.runnerDescription ? `\t${i.runnerDescription}` : ''}`);
      }
    });

  program
    .command('get-config-file-path')
    .description('print where this runner id keeps config.toml')
    .action((_opts: unknown, cmd: Command) => console.log(paths(cmd).configFile));

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`flotilla-runner: ${err.message}`);
    process.exit(1);
  });
}
