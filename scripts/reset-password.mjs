#!/usr/bin/env node
// `npm run reset-password -- <username>`: a new password for a user of this checkout's instance (the
// same database `npm start` uses). FLOTILLA_NEW_PASSWORD=... chooses it; otherwise one is printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/bootstrap.mjs';

const cli = join(ROOT, 'server/dist/cli/reset-password.js');
if (!existsSync(cli)) {
  process.stderr.write('the server is not built yet: run npm start (or npm run build) first\n');
  process.exit(1);
}
const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  FLOTILLA_CONFIG: [join(ROOT, 'config', 'start.yaml'), process.env.FLOTILLA_CONFIG].filter(Boolean).join(','),
};
const res = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
process.exit(res.status ?? 1);
