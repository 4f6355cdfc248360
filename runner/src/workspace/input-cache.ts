import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNNER_PROTOCOL, type ProbeSummary } from '@flotilla/shared';

/** `<base>/jobs/<job>/files/videos/<video>/<file>`: the video and file name the key; the job does not. */
const INPUT_FILE_PATH = new RegExp(
  `^${RUNNER_PROTOCOL.BASE_PATH.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/jobs/[^/]+/files/videos/([^/]+)/((?:previews/)?max-quality(?:/audio)?)$`,
);

/** What the downloader reports: a fresh body written to `destination`, or "not modified". */
export interface FetchOutcome {
  notModified: boolean;
  /** The server's validator for what was (or is) at the URL; null when it sent none. */
  etag: string | null;
}

/** Downloads `url` into `destination`, sending `ifNoneMatch` when a cached copy exists. */
export type InputFetcher = (destination: string, ifNoneMatch: string | null) => Promise<FetchOutcome>;

/** A job's hold on a cached input: the file stays until every lease is released. */
export interface InputLease {
  path: string;
  /** Whether the bytes came from an earlier job of the same video (no download this time). */
  reused: boolean;
  /** ffprobe of the input, run once per cached file. */
  probe(run: () => Promise<ProbeSummary>): Promise<ProbeSummary>;
  release(): void;
}

interface Entry {
  key: string;
  path: string;
  etag: string;
  users: number;
  lastUsed: number;
  /** Order of last use (several uses can share a millisecond). */
  useSeq: number;
  probe?: Promise<ProbeSummary>;
  /** Set while the entry is being (re)validated or downloaded; later jobs wait for it. */
  pending?: Promise<void>;
}

export interface InputCacheOptions {
  /** Inputs kept when no job uses them. Default 2 (the video being laddered and one more). */
  maxIdleEntries?: number;
  /** An unused input is dropped after this long. Default 2 min (a ladder's jobs come seconds apart). */
  idleMs?: number;
}

/**
 * Inputs shared by the jobs of one video. Every rung of a ladder is a separate job whose payload
 * points at the same source file (`…/files/videos/<video>/max-quality`, only the job part of the
 * URL differs); downloading it again for each rung was most of a runner's overhead. A cached copy
 * is reused only after the server confirmed it unchanged (`If-None-Match` → 304, or the same
 * ETag), so a replaced source is always fetched again. Inputs without an ETag are never cached.
 */
export class InputCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxIdle: number;
  private readonly idleMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly dir: string,
    opts: InputCacheOptions = {},
  ) {
    this.maxIdle = opts.maxIdleEntries ?? 2;
    this.idleMs = opts.idleMs ?? 2 * 60_000;
  }

  /**
   * The cache key of a job input URL: the instance, the video and which file of it. Null for URLs
   * that do not name a video file in PeerTube's runner shape (nothing is cached for them).
   */
  static keyOf(url: string): string | null {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return null;
    }
    const m = INPUT_FILE_PATH.exec(u.pathname);
    if (!m) return null;
    return `${u.origin}|${decodeURIComponent(m[1])}|${m[2]}`;
  }

  /** Gets the input of `url` for one job, downloading it only when no valid copy is here. */
  async acquire(url: string, fetch: InputFetcher): Promise<InputLease | null> {
    const key = InputCache.keyOf(url);
    if (!key) return null;
    this.evict();
    for (;;) {
      const entry = this.entries.get(key);
      if (entry?.pending) {
        // Another job of this video is fetching it: wait, then look again (it may have failed).
        await entry.pending.catch(() => undefined);
        continue;
      }
      return this.refresh(key, entry, fetch);
    }
  }

  private async refresh(key: string, entry: Entry | undefined, fetch: InputFetcher): Promise<InputLease | null> {
    const destination = join(this.dir, `${hashKey(key)}-${randomUUID().slice(0, 8)}`);
    let resolvePending!: () => void;
    let rejectPending!: (e: unknown) => void;
    const pending = new Promise<void>((res, rej) => ((resolvePending = res), (rejectPending = rej)));
    pending.catch(() => undefined); // waiters handle it; nobody waiting is fine too
    // Claim the key at once (before any await can let another job in).
    const placeholder: Entry = entry ?? { key, path: destination, etag: '', users: 0, lastUsed: Date.now(), useSeq: ++this.seq };
    placeholder.pending = pending;
    this.entries.set(key, placeholder);
    try {
      await mkdir(this.dir, { recursive: true });
      const outcome = await fetch(`${destination}.part`, entry?.etag || null);
      if (entry && (outcome.notModified || (outcome.etag !== null && outcome.etag === entry.etag))) {
        await rm(`${destination}.part`, { force: true });
        entry.pending = undefined;
        resolvePending();
        return this.lease(entry, true);
      }
      if (outcome.notModified) throw new Error('The server answered 304 for an input this runner does not hold');
      await rename(`${destination}.part`, destination);
      const fresh: Entry = { key, path: destination, etag: outcome.etag ?? '', users: 0, lastUsed: Date.now(), useSeq: ++this.seq };
      if (entry) this.retire(entry);
      if (fresh.etag) this.entries.set(key, fresh);
      else this.entries.delete(key);
      resolvePending();
      // Without a validator the copy is this job's alone: it is removed when the job releases it.
      return this.lease(fresh, false, !fresh.etag);
    } catch (err) {
      await rm(`${destination}.part`, { force: true });
      if (entry) entry.pending = undefined;
      else this.entries.delete(key);
      rejectPending(err);
      throw err;
    }
  }

  private lease(entry: Entry, reused: boolean, private_ = false): InputLease {
    entry.users++;
    entry.lastUsed = Date.now();
    entry.useSeq = ++this.seq;
    let released = false;
    return {
      path: entry.path,
      reused,
      probe: (run) => (entry.probe ??= run().catch((err: unknown) => {
        entry.probe = undefined;
        throw err;
      })),
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        entry.lastUsed = Date.now();
        entry.useSeq = ++this.seq;
        if (private_ || this.entries.get(entry.key) !== entry) {
          if (entry.users === 0) void rm(entry.path, { force: true });
          return;
        }
        this.evict();
        this.scheduleSweep();
      },
    };
  }

  /** An entry replaced by a newer copy: its file goes when its last job lets go. */
  private retire(entry: Entry): void {
    this.entries.delete(entry.key);
    if (entry.users === 0) void rm(entry.path, { force: true });
  }

  /** An idle input must not outlive `idleMs` even when no other job comes. */
  private scheduleSweep(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => this.evict(), this.idleMs + 1000);
    this.sweepTimer.unref();
  }

  /** Drops idle entries beyond the limit (least recently used first) and those idle too long. */
  evict(now = Date.now()): void {
    const idle = [...this.entries.values()].filter((e) => e.users === 0 && !e.pending).sort((a, b) => b.useSeq - a.useSeq);
    idle.forEach((e, i) => {
      if (i >= this.maxIdle || now - e.lastUsed > this.idleMs) this.retire(e);
    });
  }

  /** Number of inputs held (in use or idle). */
  get size(): number {
    return this.entries.size;
  }

  /** Removes every cached input (daemon stop; in-flight jobs were aborted first). */
  async clear(): Promise<void> {
    clearTimeout(this.sweepTimer);
    this.entries.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
