/// <reference types="node" />
/**
 * Runs a TypeScript script (through tsx) in a network namespace that has only loopback, so that
 * WebRTC between headless Chromium pages can never use a real interface (notes/p2p.md). Needs root.
 *
 * The namespace is also a PID namespace (with its own /proc) whose first process is the script:
 * when it exits, or when the time limit kills it, the kernel kills everything it started (server,
 * runner, ffmpeg, Redis, Chromium), whatever state they are in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

export interface NamespaceRun<T> {
  code: number | null;
  /** What the script handed back with writeResult(), null when it wrote nothing. */
  result: T | null;
  /** Its stdout and stderr, interleaved (the tail when long). */
  log: string;
  ms: number;
}

export function runInLoopbackNamespace<T>(script: string, args: string[] = [], opts: { timeoutMs: number; echo?: boolean }): Promise<NamespaceRun<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-netns-'));
  const resultFile = join(dir, 'result.json');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      // --kill-child: unshare killed (time limit, Ctrl-C) takes the namespace's first process with it.
      ['--net', '--pid', '--fork', '--mount-proc', '--kill-child', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, TSX, script, ...args],
      // TMPDIR of its own: in a new PID namespace the script is pid 1 like every other namespace's,
      // and tsx names its IPC pipe after the pid in the temp folder (two namespaces at once collided
      // on /tmp/tsx-0/1.pipe).
      { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: dir, FLOTILLA_NETNS_RESULT: resultFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    const collect = (chunk: Buffer) => {
      if (opts.echo) process.stderr.write(chunk);
      log = (log + chunk.toString()).slice(-200_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      log += `\n[loopback-netns] time limit of ${opts.timeoutMs} ms reached: killing the namespace\n`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      let result: T | null = null;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8')) as T;
      } catch {
        /* the script died before writing it */
      }
      void leftovers(`${resultFile}.stack`).finally(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, result, log, ms: Date.now() - started });
      });
    });
  });
}

/** A namespace killed before its own clean-up leaves its database and storage: remove them (idempotent). */
async function leftovers(stackFile: string): Promise<void> {
  let stacks: { dbName: string; storage: string }[];
  try {
    stacks = readFileSync(stackFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { dbName: string; storage: string });
  } catch {
    return; // no server was started
  }
  const { dropDatabase } = await import('./stack');
  for (const stack of stacks) {
    await dropDatabase(stack.dbName).catch(() => undefined);
    rmSync(stack.storage, { recursive: true, force: true });
  }
}

/** Called by the script inside the namespace: hands its result to runInLoopbackNamespace. */
export async function writeResult(result: unknown): Promise<void> {
  const file = process.env.FLOTILLA_NETNS_RESULT;
  if (!file) throw new Error('not started by runInLoopbackNamespace (FLOTILLA_NETNS_RESULT is unset)');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, JSON.stringify(result, null, 2));
}

/** True inside a namespace started by runInLoopbackNamespace. */
export function insideLoopbackNamespace(): boolean {
  return !!process.env.FLOTILLA_NETNS_RESULT;
}
