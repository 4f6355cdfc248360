#!/usr/bin/env node
// Boundary rules (.dependency-cruiser.cjs). Violations already known are listed in
// .dependency-cruiser-known-violations.json; any new one fails with the rule's name.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KNOWN = '.dependency-cruiser-known-violations.json';
const bin = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const res = spawnSync(process.execPath, [bin, 'shared/src', 'server/src', 'runner/src', 'client/src',
  '--ignore-known', KNOWN, '--output-type', 'err'], { cwd: ROOT, stdio: 'inherit' });
const known = JSON.parse(readFileSync(join(ROOT, KNOWN), 'utf8'));
const perRule = {};
for (const v of known) perRule[v.rule.name] = (perRule[v.rule.name] ?? 0) + 1;
console.log(`boundaries: ${known.length} known violations remain (${Object.entries(perRule).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'})`);
process.exit(res.status ?? 1);
