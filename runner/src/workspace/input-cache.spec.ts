import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputCache, type InputFetcher } from './input-cache';

const url = (job: string, video = 'v1', file = 'max-quality') => `http://127.0.0.1:9000/api/v1/runners/jobs/${job}/files/videos/${video}/${file}`;

/** A stand-in for the server: holds one body and its ETag, answers conditional requests like express. */
function origin(body: string, etag: string | null) {
  const state = { body, etag, downloads: 0, conditional: 0 };
  const fetcher: InputFetcher = async (destination, ifNoneMatch) => {
    if (ifNoneMatch) state.conditional++;
    if (ifNoneMatch && ifNoneMatch === state.etag) return { notModified: true, etag: state.etag };
    state.downloads++;
    await writeFile(destination, state.body);
    return { notModified: false, etag: state.etag };
  };
  return { state, fetcher };
}

describe('InputCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'input-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keys inputs by instance, video and file, not by job', () => {
    expect(InputCache.keyOf(url('a'))).toBe(InputCache.keyOf(url('b')));
    expect(InputCache.keyOf(url('a'))).not.toBe(InputCache.keyOf(url('a', 'v2')));
    expect(InputCache.keyOf(url('a'))).not.toBe(InputCache.keyOf(url('a', 'v1', 'max-quality/audio')));
    expect(InputCache.keyOf(url('a')?.replace('127.0.0.1:9000', 'other.example'))).not.toBe(InputCache.keyOf(url('a')));
    expect(InputCache.keyOf('http://x/static/web-videos/a.mp4')).toBeNull();
    expect(InputCache.keyOf('not a url')).toBeNull();
  });

  it('downloads once for the jobs of one video and reuses the copy while the server says it is unchanged', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const { state, fetcher } = origin('source bytes', 'W/"12-abc"');
    const first = (await cache.acquire(url('job-1'), fetcher))!;
    expect(first.reused).toBe(false);
    first.release();
    const second = (await cache.acquire(url('job-2'), fetcher))!;
    expect(second.reused).toBe(true);
    expect(second.path).toBe(first.path);
    expect(await readFile(second.path, 'utf8')).toBe('source bytes');
    expect(state).toMatchObject({ downloads: 1, conditional: 1 });
    second.release();
  });

  it('fetches again when the source changed, keeping the old copy until its job lets go', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const { state, fetcher } = origin('old', 'W/"3-1"');
    const a = (await cache.acquire(url('job-1'), fetcher))!;
    state.body = 'new';
    state.etag = 'W/"3-2"';
    const b = (await cache.acquire(url('job-2'), fetcher))!;
    expect(b.reused).toBe(false);
    expect(await readFile(b.path, 'utf8')).toBe('new');
    expect(await readFile(a.path, 'utf8')).toBe('old');
    a.release();
    await expect.poll(() => existsSync(a.path)).toBe(false);
    expect(existsSync(b.path)).toBe(true);
    b.release();
  });

  it('lets concurrent jobs of one video share a single download', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const { state, fetcher } = origin('x'.repeat(1000), '"e"');
    const slow: InputFetcher = async (d, e) => {
      await new Promise((r) => setTimeout(r, 50));
      return fetcher(d, e);
    };
    const leases = await Promise.all([1, 2, 3].map((i) => cache.acquire(url(`job-${i}`), slow)));
    expect(state.downloads).toBe(1);
    expect(new Set(leases.map((l) => l!.path)).size).toBe(1);
    leases.forEach((l) => l!.release());
  });

  it('never caches an input without an ETag: each job gets its own copy, removed after it', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const { state, fetcher } = origin('bytes', null);
    const a = (await cache.acquire(url('job-1'), fetcher))!;
    a.release();
    await expect.poll(() => existsSync(a.path)).toBe(false);
    const b = (await cache.acquire(url('job-2'), fetcher))!;
    expect(b.reused).toBe(false);
    expect(state.downloads).toBe(2);
    b.release();
  });

  it('leaves nothing behind when a download fails, and the next job tries again', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const failing: InputFetcher = async (destination) => {
      await writeFile(destination, 'half');
      throw new Error('connection reset');
    };
    await expect(cache.acquire(url('job-1'), failing)).rejects.toThrow('connection reset');
    expect(await readdir(join(dir, 'inputs'))).toEqual([]);
    const { fetcher } = origin('ok', '"1"');
    const lease = (await cache.acquire(url('job-2'), fetcher))!;
    expect(await readFile(lease.path, 'utf8')).toBe('ok');
    lease.release();
  });

  it('keeps at most maxIdleEntries unused inputs, dropping the least recently used', async () => {
    const cache = new InputCache(join(dir, 'inputs'), { maxIdleEntries: 1 });
    const paths: string[] = [];
    for (const video of ['v1', 'v2']) {
      const lease = (await cache.acquire(url('j', video), origin(video, `"${video}"`).fetcher))!;
      paths.push(lease.path);
      lease.release();
    }
    await expect.poll(() => existsSync(paths[0])).toBe(false);
    expect(existsSync(paths[1])).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('removes an idle input after idleMs even when no other job comes', async () => {
    const cache = new InputCache(join(dir, 'inputs'), { idleMs: 50 });
    const lease = (await cache.acquire(url('1'), origin('b', '"t"').fetcher))!;
    lease.release();
    expect(existsSync(lease.path)).toBe(true);
    await expect.poll(() => existsSync(lease.path), { timeout: 3000 }).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('probes a shared input once', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const { fetcher } = origin('b', '"p"');
    let probes = 0;
    const probe = async () => {
      probes++;
      return { duration: 1, video: null, audio: null } as never;
    };
    for (const job of ['1', '2', '3']) {
      const lease = (await cache.acquire(url(job), fetcher))!;
      await lease.probe(probe);
      lease.release();
    }
    expect(probes).toBe(1);
  });

  it('clear() removes every cached input', async () => {
    const cache = new InputCache(join(dir, 'inputs'));
    const lease = (await cache.acquire(url('1'), origin('b', '"c"').fetcher))!;
    lease.release();
    await cache.clear();
    expect(existsSync(join(dir, 'inputs'))).toBe(false);
    expect(cache.size).toBe(0);
  });
});
