#!/usr/bin/env node
// `npm start`: set up whatever is missing on this machine, then run Flotilla on http://localhost:9000.
// One line per set-up step; the server's own log goes to a file (warnings and errors are also shown
// here, one line each), so the root password box and the "running at" lines stay readable.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkNodeVersion } from './lib/steps.mjs';
import { ROOT, build, ensureFfmpeg, ensureNpmDeps, ensurePostgres, ensureRedis, loadConfig, migrate } from './lib/bootstrap.mjs';

checkNodeVersion(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines?.node);

const startedAt = Date.now();
// npm start runs the embedded transcoding runner (config/start.yaml); FLOTILLA_CONFIG files still win.
const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  FLOTILLA_CONFIG: [join(ROOT, 'config', 'start.yaml'), process.env.FLOTILLA_CONFIG].filter(Boolean).join(','),
};

await ensureNpmDeps();
await ensureFfmpeg();
await build();
await ensurePostgres(env);
await ensureRedis(env);
await migrate(env);

const config = loadConfig(env);
const firstStart = !existsSync(join(config.paths.root, '.started'));
mkdirSync(config.paths.logs, { recursive: true });
const logFile = join(config.paths.logs, 'flotilla.log');
writeFileSync(logFile, '');
process.stdout.write(`\nStarting Flotilla (set-up took ${((Date.now() - startedAt) / 1000).toFixed(1)} s; database ${config.database.name}, server log in ${logFile}) ...\n`);
const server = spawn(process.execPath, [join(ROOT, 'server/dist/main.js')], { cwd: ROOT, env, stdio: ['inherit', 'pipe', 'pipe'] });

const LEVELS = { 40: 'warning', 50: 'error', 60: 'fatal' };
let announced = false;
// Ctrl+C reaches the embedded runner too (same process group): its exit is no news then.
let stopping = false;

/** pino's JSON lines go to the log file (warnings and worse also here, one line); anything else is shown as is. */
function onLine(line) {
  if (!line) return;
  if (line.startsWith('{')) {
    appendFileSync(logFile, line + '\n');
    try {
      const entry = JSON.parse(line);
      if (entry.level >= 40 && !stopping) process.stdout.write(`  ${LEVELS[entry.level] ?? 'log'}: ${entry.msg}${entry.err?.message ? ` — ${entry.err.message}` : ''}\n`);
    } catch {
      /* not JSON after all: it is in the file */
    }
    return;
  }
  if (line.startsWith('FLOTILLA_LISTENING')) return announce();
  process.stdout.write(line + '\n');
}

function announce() {
  if (announced) return;
  announced = true;
  const url = `http://localhost:${config.listen.port}`;
  process.stdout.write(
    `\n  Flotilla is running at ${url}\n` +
      `  Log in as "root"${firstStart ? ' with the password printed above (or FLOTILLA_INITIAL_ROOT_PASSWORD if you set it)' : ''}.\n` +
      `  Lost the root password? Stop the server and run: npm run reset-password -- root\n` +
      `  Server log: ${logFile}\n` +
      `  API clients: GET ${url}/api/v1/oauth-clients/local, then POST ${url}/api/v1/users/token\n` +
      `  Stop with Ctrl+C.\n\n`,
  );
  writeFileSync(join(config.paths.root, '.started'), new Date().toISOString());
}

for (const stream of [server.stdout, server.stderr]) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop();
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => onLine(rest));
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopping = true;
    server.kill(sig);
  });
}
server.on('exit', (code, signal) => {
  if (code) process.stdout.write(`\nFlotilla stopped with exit code ${code}: see ${logFile}\n`);
  process.exit(code ?? (signal ? 0 : 1));
});
