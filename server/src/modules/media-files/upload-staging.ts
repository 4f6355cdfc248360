import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { sha256Hex } from '../../common/crypto';
import type { AppConfig } from '../../config/config';
import { rangeKey } from './hls-playlists';

/**
 * The staging area: the local tmp folder where uploads (multer, resumable parts, runners' results)
 * are written before they are checked and moved into storage. It is always a local disk, whatever
 * the storage provider: ffmpeg, sharp and hashing read files from here.
 */

/** A staging sub-folder, created if needed (sync: multer wants it when an interceptor is built). */
export function stagingFolder(config: AppConfig, sub?: string): string {
  const dir = sub ? join(config.paths.tmp, sub) : config.paths.tmp;
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function ensureStagingFolder(config: AppConfig, sub: string): Promise<string> {
  const dir = join(config.paths.tmp, sub);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Removes staged files; one already gone is fine. */
export async function removeStaged(paths: Array<string | null | undefined>): Promise<void> {
  await Promise.all(paths.filter((p): p is string => !!p).map((p) => rm(p, { force: true }).catch(() => undefined)));
}

/** Size of a staged file, `null` when it does not exist. */
export async function stagedSize(path: string): Promise<number | null> {
  return stat(path).then((s) => s.size, () => null);
}

/** Creates an empty file; fails if one exists (a session's part file is new). */
export async function createEmptyStaged(path: string): Promise<void> {
  const fh = await open(path, 'wx');
  await fh.close();
}

/**
 * Appends the part of a request body beyond what is held: skips `skip` bytes, writes at most
 * `remaining`. Every byte that arrives is written, also when the connection drops mid-chunk; the
 * file is synced before the caller reads its size.
 */
export async function appendStaged(path: string, body: Readable, skip: number, remaining: number): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      let writing: Promise<unknown> = Promise.resolve();
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        writing.then(() => resolve(), reject);
      };
      body.on('data', (chunk: Buffer) => {
        let part = chunk;
        if (skip > 0) {
          const n = Math.min(skip, part.length);
          skip -= n;
          part = part.subarray(n);
        }
        if (part.length > remaining) part = part.subarray(0, remaining);
        if (!part.length) return;
        remaining -= part.length;
        body.pause();
        writing = writing.then(() => fh.write(part)).then(() => body.resume());
        writing.catch(() => undefined);
      });
      body.on('end', settle);
      body.on('close', settle);
      body.on('error', settle);
      if (body.readableEnded || body.destroyed) settle();
    });
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes files of a staging folder older than `minAgeMs` that `keep` does not claim. */
export async function removeOldStaged(dir: string, minAgeMs: number, keep: (name: string) => boolean): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (keep(name)) continue;
    const st = await stat(join(dir, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > minAgeMs) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

/** A small staged text file (a runner's playlist); larger than `maxBytes` is refused with `tooLarge`. */
export async function readStagedText(path: string, maxBytes: number, tooLarge: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    if ((await fh.stat()).size > maxBytes) throw new Error(tooLarge);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** SHA-256 of byte ranges of a local file, keyed as segments-sha256.json wants. */
export async function hashRanges(path: string, ranges: { offset: number; length: number }[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fh = await open(path, 'r');
  try {
    for (const r of ranges) {
      const buf = Buffer.alloc(r.length);
      const { bytesRead } = await fh.read(buf, 0, r.length, r.offset);
      if (bytesRead !== r.length) throw new Error(`Segment ${rangeKey(r)} lies outside ${path}`);
      out[rangeKey(r)] = sha256Hex(buf);
    }
  } finally {
    await fh.close();
  }
  return out;
}

/**
 * The real path of `path` when it is a regular file inside one of `roots` (symlinks resolved),
 * else null: what may be streamed to a runner.
 */
export async function regularFileInside(path: string, roots: string[]): Promise<string | null> {
  const real = await realpath(path).catch(() => null);
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
  const inside = real !== null && realRoots.some((r) => r !== null && real.startsWith(r + sep));
  if (!inside || !(await stat(real).then((s) => s.isFile(), () => false))) return null;
  return real;
}
