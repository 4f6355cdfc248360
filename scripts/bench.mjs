#!/usr/bin/env node
// `npm run bench`: build, make sure the services answer, then run scripts/bench/run.ts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, build, ensureFfmpeg, ensureNpmDeps, ensurePostgres, ensureRedis } from './lib/bootstrap.mjs';

const env = { ...process.env, NODE_ENV: 'test' };
await ensureNpmDeps();
await ensureFfmpeg();
await build();
await ensurePostgres(env);
await ensureRedis(env);
const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/bench/run.ts'), ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env,
});
process.exit(res.status ?? 1);
