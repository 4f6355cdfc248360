#!/usr/bin/env node
// Duplicate-code scan (jscpd, settings and threshold in .jscpd.json — the one place to tighten).
// Prints every clone pair so a twin shows by name; fails when duplication exceeds the threshold.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(ROOT, 'node_modules/jscpd/run-jscpd.js');
const res = spawnSync(process.execPath, [bin, '--config', '.jscpd.json', 'shared/src', 'server/src', 'runner/src', 'client/src', 'scripts'],
  { cwd: ROOT, encoding: 'utf8' });
const report = JSON.parse(readFileSync(join(ROOT, 'node_modules/.cache/jscpd/jscpd-report.json'), 'utf8'));
const cfg = JSON.parse(readFileSync(join(ROOT, '.jscpd.json'), 'utf8'));
if (process.argv.includes('--list')) {
  for (const d of report.duplicates) {
    console.log(`${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} = ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end}`);
  }
}
const pct = Number(report.statistics.total.percentage).toFixed(2);
console.log(`duplicates: ${report.duplicates.length} clones, ${pct}% of lines (threshold ${cfg.threshold}%; --list to see them)`);
if (res.status !== 0) process.stderr.write(res.stderr);
process.exit(res.status ?? 1);
