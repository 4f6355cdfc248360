#!/usr/bin/env node
// `npm start`: set up whatever is missing on this machine, then run Flotilla on http://localhost:9000.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, ensureFfmpeg, ensureNpmDeps, ensurePostgres, ensureRedis, loadConfig, migrate } from './lib/bootstrap.mjs';

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
process.stdout.write(`\nStarting Flotilla (set-up took ${((Date.now() - startedAt) / 1000).toFixed(1)} s) ...\n`);
const server = spawn(process.execPath, [join(ROOT, 'server/dist/main.js')], { cwd: ROOT, env, stdio: ['inherit', 'pipe', 'inherit'] });
let announced = false;
server.stdout.on('data', (chunk) => {
  const text = chunk.toString();
  process.stdout.write(text);
  if (!announced && text.includes('FLOTILLA_LISTENING')) {
    announced = true;
    const url = `http://localhost:${config.listen.port}`;
    process.stdout.write(
      `\n  Flotilla is running at ${url}\n` +
        `  Log in as "root"${firstStart ? ' with the password printed above (or FLOTILLA_INITIAL_ROOT_PASSWORD if you set it)' : ''}.\n` +
        `  API clients: GET ${url}/api/v1/oauth-clients/local, then POST ${url}/api/v1/users/token\n` +
        `  Stop with Ctrl+C.\n\n`,
    );
    import('node:fs').then(({ writeFileSync }) => writeFileSync(join(config.paths.root, '.started'), new Date().toISOString()));
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
