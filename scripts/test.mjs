#!/usr/bin/env node
// `npm test`: set up what the tests need (same bootstrap as npm start), then run every suite.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, build, ensureChromium, ensureFfmpeg, ensureNpmDeps, ensurePostgres, ensureRedis } from './lib/bootstrap.mjs';

const env = { ...process.env, NODE_ENV: 'test' };
await ensureNpmDeps();
// Static checks first: they take seconds and a violation fails with its rule's name.
for (const [script, ...flags] of [['check-boundaries.mjs'], ['check-duplicates.mjs'], ['config-docs.mjs', '--check']]) {
  const res = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...flags], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
// Unused files and dependencies (knip.jsonc; `npm run knip` also lists unused exports as warnings).
{
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/knip/bin/knip.js'), '--no-progress', '--include', 'files,dependencies,devDependencies'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
  console.log('knip: no unused files or dependencies');
}
await ensureFfmpeg();
await ensureChromium();
await build();
// Type-aware lint (floating/misused promises, unused code): after the build, which gives it shared's types.
{
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '.'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
  console.log('lint: no problems');
}
// The web client's types, templates included (Vite's build strips types without checking them).
{
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/vue-tsc/bin/vue-tsc.js'), '--noEmit', '-p', 'tsconfig.json'], { cwd: join(ROOT, 'client'), stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
  console.log('client types: no problems');
}
await ensurePostgres(env);
await ensureRedis(env);

const args = process.argv.slice(2);
const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...args], { cwd: ROOT, stdio: 'inherit', env });
process.exit(res.status ?? 1);
