import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { configSchema, RESOLUTION_KEYS, type RawConfig } from './config.schema';

/** The repository root: server/dist/config → ../../.. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CONFIG_DIR = join(REPO_ROOT, 'config');

export class ConfigError extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isPlainObject(doc)) throw new ConfigError(`config file ${file} must hold a YAML mapping`);
  return doc;
}

export interface StoragePaths {
  root: string;
  tmp: string;
  webVideos: string;
  streamingPlaylists: string;
  thumbnails: string;
  previews: string;
  avatars: string;
  captions: string;
  torrents: string;
  logs: string;
}

export interface AppConfig extends Omit<RawConfig, 'database' | 'redis'> {
  database: RawConfig['database'] & { name: string };
  redis: RawConfig['redis'] & { prefix: string };
  env: string;
  /** Public base URL, e.g. http://localhost:9000 (no trailing slash). */
  webserverUrl: string;
  /** host[:port] as it appears in actor handles and ActivityPub ids. */
  webserverHost: string;
  paths: StoragePaths;
  enabledResolutions: number[];
  initialRootPassword: string | null;
  configFiles: string[];
  /** NODE_ENV=test only (FLOTILLA_TEST_UNHANDLED_JOB): a job name declared without a handler. */
  testUnhandledJob: string | null;
}

/**
 * Which files are merged, in order: default, <NODE_ENV>, local.yaml (machine-specific, written by
 * `npm start` when it had to set up a database password; not tracked), FLOTILLA_CONFIG entries.
 */
export function configFiles(env: NodeJS.ProcessEnv): string[] {
  const files = [join(CONFIG_DIR, 'default.yaml')];
  const nodeEnv = env.NODE_ENV ?? 'development';
  for (const name of [`${nodeEnv}.yaml`, 'local.yaml']) {
    const file = join(CONFIG_DIR, name);
    if (existsSync(file)) files.push(file);
  }
  for (const entry of (env.FLOTILLA_CONFIG ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const file = isAbsolute(entry) ? entry : resolve(process.cwd(), entry);
    if (!existsSync(file)) throw new ConfigError(`FLOTILLA_CONFIG names ${file}, which does not exist`);
    files.push(file);
  }
  return files;
}

/**
 * `flotilla_<folder>_<6 hex of the checkout's path>`: the default database name and Redis prefix,
 * different for each checkout on a machine (two clones never share a database or bull's queues).
 */
export function checkoutName(root: string = REPO_ROOT): string {
  const folder = basename(root).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 30) || 'root';
  return `flotilla_${folder}_${createHash('sha256').update(root).digest('hex').slice(0, 6)}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const files = configFiles(env);
  let merged: Record<string, unknown> = {};
  for (const f of files) merged = deepMerge(merged, readYaml(f));

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration (files: ${files.join(', ')}):\n${lines.join('\n')}`);
  }
  const raw = parsed.data;

  const root = isAbsolute(raw.storage.root) ? raw.storage.root : join(REPO_ROOT, raw.storage.root);
  const sub = (value: string | null, name: string) =>
    value ? (isAbsolute(value) ? value : join(REPO_ROOT, value)) : join(root, name);
  const paths: StoragePaths = {
    root,
    tmp: sub(raw.storage.tmp, 'tmp'),
    webVideos: sub(raw.storage.web_videos, 'web-videos'),
    streamingPlaylists: sub(raw.storage.streaming_playlists, 'streaming-playlists'),
    thumbnails: sub(raw.storage.thumbnails, 'thumbnails'),
    previews: sub(raw.storage.previews, 'previews'),
    avatars: sub(raw.storage.avatars, 'avatars'),
    captions: sub(raw.storage.captions, 'captions'),
    torrents: sub(raw.storage.torrents, 'torrents'),
    logs: sub(raw.storage.logs, 'logs'),
  };

  const defaultPort = raw.webserver.https ? 443 : 80;
  const webserverHost =
    raw.webserver.port === defaultPort ? raw.webserver.hostname : `${raw.webserver.hostname}:${raw.webserver.port}`;

  const enabledResolutions = RESOLUTION_KEYS.filter((k) => raw.transcoding.resolutions[k]).map((k) => parseInt(k, 10));

  const derived = checkoutName();
  return {
    ...raw,
    database: { ...raw.database, name: raw.database.name ?? derived },
    redis: { ...raw.redis, prefix: raw.redis.prefix ?? derived },
    env: env.NODE_ENV ?? 'development',
    webserverUrl: `${raw.webserver.https ? 'https' : 'http'}://${webserverHost}`,
    webserverHost,
    paths,
    enabledResolutions,
    initialRootPassword: env.FLOTILLA_INITIAL_ROOT_PASSWORD || null,
    // Test suites only: declares one more queue job that nothing handles (the boot check's test).
    testUnhandledJob: env.NODE_ENV === 'test' ? env.FLOTILLA_TEST_UNHANDLED_JOB || null : null,
    configFiles: files,
  };
}
