import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The integration suites run the built server and runner, and serve the built client. A stale build
 * would test yesterday's code: the TypeScript projects are brought up to date here (incremental, a
 * few seconds when nothing changed), and a client bundle older than its sources is refused.
 */
export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'shared', 'server', 'runner'], { cwd: ROOT, stdio: 'inherit' });
  const main = join(ROOT, 'server/dist/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing after tsc -b: run 'npm run build'`);
  const clientIndex = join(ROOT, 'client/dist/index.html');
  if (!existsSync(clientIndex)) throw new Error(`${clientIndex} is missing: run 'npm run build'`);
  const clientSources = Math.max(newestMtime(join(ROOT, 'client/src')), newestMtime(join(ROOT, 'shared/src')), statSync(join(ROOT, 'client/index.html')).mtimeMs);
  if (clientSources > statSync(clientIndex).mtimeMs) {
    throw new Error('client/dist is older than client/src or shared/src: run `npm run build` so the tests serve today’s client');
  }
}
