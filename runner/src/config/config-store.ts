import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { z } from 'zod';

/**
 * `config.toml` of one runner id. The layout is the PeerTube runner's (`[jobs]`, `[ffmpeg]`,
 * `[[registeredInstances]]`), so an operator moving between the two finds the same keys.
 */
const registeredInstanceSchema = z.object({
  url: z.string().regex(/^https?:\/\//, 'must start with http:// or https://'),
  runnerToken: z.string().min(1),
  runnerName: z.string().min(1),
  runnerDescription: z.string().optional(),
});
export type RegisteredInstance = z.infer<typeof registeredInstanceSchema>;

export const runnerConfigSchema = z.object({
  jobs: z
    .object({
      /** VOD jobs (uploads' transcoding) run at once, across every registered instance. */
      concurrency: z.number().int().min(1).max(64).default(2),
      /**
       * Live jobs run at once, beside `concurrency`: a live holds its job as long as it is on air,
       * so it gets slots of its own rather than keeping uploads waiting. 0 takes no live job.
       */
      liveConcurrency: z.number().int().min(0).max(64).default(2),
    })
    .prefault({}),
  ffmpeg: z
    .object({
      /** `-threads` given to the encoders; 0 = ffmpeg decides. */
      threads: z.number().int().min(0).max(256).default(2),
      /** Niceness of the ffmpeg processes (0 = normal priority, 19 = lowest). */
      nice: z.number().int().min(-20).max(20).default(20),
      ffmpegPath: z.string().min(1).default('ffmpeg'),
      ffprobePath: z.string().min(1).default('ffprobe'),
      /**
       * Seconds without ffmpeg's output time moving before it is killed and the job errored (the
       * server then retries it). 10 minutes: far above any real pause (a slow first keyframe).
       */
      progressTimeout: z.number().int().min(1).max(86_400).default(600),
    })
    .prefault({}),
  registeredInstances: z.array(registeredInstanceSchema).default([]),
});
export type RunnerConfig = z.infer<typeof runnerConfigSchema>;

export interface RunnerPaths {
  id: string;
  configDir: string;
  configFile: string;
  /** Per-job work folders are created under this one. */
  workDir: string;
}

const ID_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

/**
 * Where a runner id keeps its files: `$XDG_CONFIG_HOME/flotilla-runner/<id>/config.toml` and work
 * folders under `$XDG_CACHE_HOME/flotilla-runner/<id>/`. `configDir` replaces the first (the
 * embedded runner keeps its config inside the server's storage).
 */
export function resolveRunnerPaths(options: { id?: string; configDir?: string; workDir?: string; env?: NodeJS.ProcessEnv }): RunnerPaths {
  const id = options.id ?? 'default';
  if (!ID_PATTERN.test(id)) throw new Error(`Invalid runner id "${id}": letters, digits, ".", "_" and "-" only`);
  const env = options.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const configDir = options.configDir ?? join(configHome, 'flotilla-runner', id);
  return {
    id,
    configDir,
    configFile: join(configDir, 'config.toml'),
    workDir: options.workDir ?? join(cacheHome, 'flotilla-runner', id, 'jobs'),
  };
}

export async function loadRunnerConfig(file: string): Promise<RunnerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const config = runnerConfigSchema.parse({});
      await saveRunnerConfig(file, config);
      return config;
    }
    throw err;
  }
  const result = runnerConfigSchema.safeParse(parse(text));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid runner config ${file}: ${issues}`);
  }
  return result.data;
}

/** Written to a temporary name then renamed, so a reader (the daemon) never sees half a file. */
export async function saveRunnerConfig(file: string, config: RunnerConfig): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const header = '# flotilla-runner configuration. Edit freely; the daemon reloads it on change.\n';
  await writeFile(tmp, header + stringify(config) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

/** Read-modify-write of the config file. */
export async function updateRunnerConfig(file: string, change: (config: RunnerConfig) => RunnerConfig | void): Promise<RunnerConfig> {
  const config = await loadRunnerConfig(file);
  const next = change(config) ?? config;
  await saveRunnerConfig(file, next);
  return next;
}

export function sameInstance(a: { url: string; runnerName: string }, b: { url: string; runnerName: string }): boolean {
  return normalizeUrl(a.url) === normalizeUrl(b.url) && a.runnerName === b.runnerName;
}

export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
