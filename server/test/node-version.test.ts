import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/test-server';

/** Issue 14, item 7: one Node version, agreed by package.json, the README, every dependency and npm start. */
describe('the Node version', () => {
  const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const lowest = semver.minVersion(engines)!.version;

  it("the README names package.json's engines", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(engines).toBe('>=20.19');
    expect(readme).toContain('Node.js ≥ 20.19');
  });

  it('every installed package accepts the lowest version allowed (no EBADENGINE on npm install)', () => {
    const refused: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        if (entry.name.startsWith('@')) {
          walk(path);
          continue;
        }
        const manifest = join(path, 'package.json');
        if (existsSync(manifest)) {
          const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
          const range = pkg.engines?.node;
          if (typeof range === 'string' && semver.validRange(range) && !semver.satisfies(lowest, range)) refused.push(`${pkg.name}@${pkg.version} wants node ${range}`);
        }
        if (existsSync(join(path, 'node_modules'))) walk(join(path, 'node_modules'));
      }
    };
    walk(join(REPO_ROOT, 'node_modules'));
    expect(refused).toEqual([]);
  });

  it('npm start stops at once with what to do when Node is too old', async () => {
    const steps = join(REPO_ROOT, 'scripts/lib/steps.mjs');
    const run = (range: string, current: string) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', `import { checkNodeVersion } from ${JSON.stringify(steps)}; checkNodeVersion(${JSON.stringify(range)}, ${JSON.stringify(current)}); console.log('went on');`]);
    await expect(run(engines, '20.18.3')).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/Node\.js 20\.18\.3 is too old: Flotilla needs Node\.js 20\.19 or newer[\s\S]*What to do/) });
    expect((await run(engines, '20.19.0')).stdout).toContain('went on');
    expect((await run(engines, '22.1.0')).stdout).toContain('went on');
  });
});
