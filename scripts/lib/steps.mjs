// Tiny helpers for the set-up scripts. Plain Node, no dependencies: they run before `npm ci`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

const tty = process.stdout.isTTY;
const color = (code, s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
let stepNo = 0;

export class StepError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

/**
 * Runs one named step and prints one line for it: on a terminal "→ step ..." while it runs, replaced
 * by "✓ step: what was done (time)"; elsewhere (CI logs) the final line only. A failure says what
 * failed and what to do.
 */
export async function step(title, fn) {
  stepNo += 1;
  const label = `[${stepNo}] ${title}`;
  if (tty) process.stdout.write(`${color('36', '→')} ${label} ...`);
  const clear = () => tty && process.stdout.write('\r\x1b[2K');
  const started = Date.now();
  try {
    const note = await fn();
    const ms = Date.now() - started;
    clear();
    process.stdout.write(`${color('32', '✓')} ${label}${note ? `: ${note}` : ''} ${color('2', `(${(ms / 1000).toFixed(1)} s)`)}\n`);
  } catch (err) {
    clear();
    process.stdout.write(`${color('31', '✗')} ${label} failed: ${err.message}\n`);
    if (err.hint) process.stdout.write(`  ${color('33', 'What to do:')} ${err.hint}\n`);
    process.exit(1);
  }
}

/**
 * The Node version every part agrees on (package.json's engines, the README, each dependency):
 * checked before anything else, with what to do when it is too old.
 */
export function checkNodeVersion(engines, current = process.versions.node) {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines ?? '');
  if (!m) return;
  const [major, minor] = current.split('.').map(Number);
  const need = [Number(m[1]), Number(m[2] ?? 0)];
  if (major > need[0] || (major === need[0] && minor >= need[1])) return;
  process.stdout.write(
    `${color('31', '✗')} Node.js ${current} is too old: Flotilla needs Node.js ${engines.replace(/^>=\s*/, '')} or newer (package.json "engines").\n` +
      `  ${color('33', 'What to do:')} install Node.js ${need[0]} LTS (e.g. from your distribution or nodejs.org), then run npm start again.\n`,
  );
  process.exit(1);
}

export function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a command with inherited output (or captured with quiet), throwing on failure. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (res.error) throw new StepError(`${cmd} could not run: ${res.error.message}`, opts.hint);
  if (res.status !== 0) {
    const out = opts.quiet ? `\n${(res.stdout ?? '').slice(-2000)}${(res.stderr ?? '').slice(-2000)}` : '';
    throw new StepError(`${cmd} ${args.join(' ')} exited with ${res.status}${out}`, opts.hint);
  }
  return res.stdout ?? '';
}

let aptUpdated = false;
/** apt-get install as root; otherwise a clear instruction. */
export function aptInstall(packages, why) {
  if (!which('apt-get')) throw new StepError(`${packages.join(', ')} missing (${why})`, `install ${packages.join(' ')} with your system's package manager`);
  if (!isRoot()) {
    throw new StepError(`${packages.join(', ')} missing (${why})`, `run: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-q'], { quiet: true, env });
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { quiet: true, env, hint: `run: apt-get install -y ${packages.join(' ')}` });
}

/** True when something accepts TCP connections on host:port within the timeout. */
export function tcpAnswers(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitFor(check, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StepError(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
}
