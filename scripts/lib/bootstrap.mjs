// The set-up shared by `npm start` and `npm test`: each step checks first and skips what is done.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { StepError, aptInstall, isRoot, run, step, tcpAnswers, waitFor, which } from './steps.mjs';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(join(ROOT, 'package.json'));

function newestMtime(dir, skip = new Set(['node_modules', 'dist'])) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p, skip) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function ensureNpmDeps() {
  await step('npm dependencies', () => {
    const marker = join(ROOT, 'node_modules', '.package-lock.json');
    const lock = join(ROOT, 'package-lock.json');
    if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return 'already installed';
    const fresh = !existsSync(join(ROOT, 'node_modules'));
    run('npm', fresh ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      hint: 'check that the npm registry is reachable, then run npm ci',
    });
    return fresh ? 'installed with npm ci' : 'updated';
  });
}

export async function ensureFfmpeg() {
  await step('ffmpeg and ffprobe', () => {
    if (which('ffmpeg') && which('ffprobe')) {
      const first = run('ffmpeg', ['-hide_banner', '-version'], { quiet: true }).split('\n')[0];
      return first.replace(/^ffmpeg version (\S+).*$/, 'ffmpeg $1');
    }
    aptInstall(['ffmpeg'], 'transcoding and probing uploads need it');
    return 'installed from Debian packages';
  });
}

export async function ensureChromium() {
  await step('Chromium (browser tests)', () => {
    if (existsSync('/usr/bin/chromium')) return 'present';
    aptInstall(['chromium'], 'the client end-to-end tests drive headless Chromium');
    return 'installed from Debian packages';
  });
}

export async function build({ client = true, showClientSizes = false } = {}) {
  await step('build (TypeScript)', () => {
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'shared', 'server', 'runner'], {
      cwd: ROOT,
      quiet: true,
      hint: 'fix the TypeScript errors shown above',
    });
    return 'shared, server, runner';
  });
  const clientDir = join(ROOT, 'client');
  if (!client || !existsSync(join(clientDir, 'index.html'))) return;
  await step('build (web client)', () => {
    const dist = join(clientDir, 'dist', 'index.html');
    const srcNewest = Math.max(newestMtime(join(clientDir, 'src')), newestMtime(join(ROOT, 'shared', 'src')), statSync(join(clientDir, 'index.html')).mtimeMs);
    if (!showClientSizes && existsSync(dist) && statSync(dist).mtimeMs > srcNewest) return 'up to date';
    // `npm run build` shows Vite's table of chunk sizes (raw and gzip); set-up steps stay quiet.
    run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: clientDir, quiet: !showClientSizes, hint: 'see the Vite errors above' });
    return 'client/dist';
  });
}

/** The server's own config loader (single source of truth for addresses and paths). */
export function loadConfig(env = process.env) {
  const { loadConfig: load } = require('./server/dist/config/config.js');
  return load(env);
}

function isLocalHost(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('/');
}

async function pgConnect(config) {
  const { Client } = require('pg');
  const c = config.database;
  const client = new Client({ host: c.hostname, port: c.port, user: c.username, password: c.password ?? undefined, database: 'postgres' });
  await client.connect();
  await client.end();
}

export async function ensurePostgres(env = process.env) {
  await step('PostgreSQL', async () => {
    let config = loadConfig(env);
    const { hostname, port } = config.database;
    const answers = () =>
      hostname.startsWith('/') ? Promise.resolve(existsSync(join(hostname, `.s.PGSQL.${port}`))) : tcpAnswers(hostname, port);
    let note = `answers at ${hostname}:${port}`;
    if (!(await answers())) {
      if (!isLocalHost(hostname)) {
        throw new StepError(`PostgreSQL does not answer at ${hostname}:${port}`, 'start it, or set database.hostname/port in a config file named by FLOTILLA_CONFIG');
      }
      if (!which('pg_ctlcluster')) aptInstall(['postgresql'], 'Flotilla keeps its state in PostgreSQL');
      const clusters = run('pg_lsclusters', ['--no-header'], { quiet: true }).trim().split('\n').filter(Boolean);
      if (!clusters.length) throw new StepError('no PostgreSQL cluster exists', 'run: pg_createcluster --start 15 main');
      const [version, name] = clusters[0].split(/\s+/);
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { quiet: true, hint: `run: pg_ctlcluster ${version} ${name} start` });
      await waitFor(answers, 30_000, 'PostgreSQL');
      note = `started cluster ${version}/${name}`;
    }
    try {
      await pgConnect(config);
    } catch (err) {
      // Debian's default cluster wants a password over TCP: give the role one and remember it locally.
      const authFailed = ['28P01', '28000'].includes(err.code);
      if (!authFailed || !isRoot() || !isLocalHost(hostname) || !which('runuser')) {
        throw new StepError(`cannot log in to PostgreSQL as ${config.database.username}: ${err.message}`, 'set database.username/password in a config file named by FLOTILLA_CONFIG');
      }
      const password = randomBytes(18).toString('base64url');
      run('runuser', ['-u', 'postgres', '--', 'psql', '-q', '-c', `ALTER ROLE "${config.database.username}" WITH LOGIN PASSWORD '${password}'`], { quiet: true });
      writeFileSync(join(ROOT, 'config', 'local.yaml'), `# Written by npm start: this machine's database password.\ndatabase:\n  password: '${password}'\n`, { mode: 0o600 });
      config = loadConfig(env);
      await pgConnect(config);
      note += '; password set for the role, saved in config/local.yaml';
    }
    return note;
  });
}

async function redisPing(host, port) {
  const Redis = require('ioredis');
  const r = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {}); // a refused connection is the answer we are asking for
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function ensureRedis(env = process.env) {
  await step('Redis', async () => {
    const config = loadConfig(env);
    const { hostname, port } = config.redis;
    if (await redisPing(hostname, port)) return `answers at ${hostname}:${port}`;
    if (!isLocalHost(hostname)) {
      throw new StepError(`Redis does not answer at ${hostname}:${port}`, 'start it, or set redis.hostname/port in a config file named by FLOTILLA_CONFIG');
    }
    if (!which('redis-server')) aptInstall(['redis-server'], 'queues, view counters and rate limits use Redis');
    // A private instance whose files live under the storage folder.
    const dir = join(config.paths.root, 'redis');
    mkdirSync(dir, { recursive: true });
    run('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log'), '--pidfile', join(dir, 'redis.pid')], { quiet: true });
    await waitFor(() => redisPing(hostname, port), 15_000, 'Redis');
    return `started a private redis-server on ${hostname}:${port} (files in ${dir})`;
  });
}

export async function migrate(env = process.env) {
  // The CLI's own log lines stay out of the step's one line (errors still reach the step's failure).
  await step('database and migrations', () =>
    run(process.execPath, [join(ROOT, 'server/dist/cli/migrate.js')], { cwd: ROOT, env: { ...env, FLOTILLA_LOG_LEVEL: 'warn' }, quiet: true })
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('{'))
      .pop(),
  );
}
