import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from './http';
import {
  adaptChunkSize,
  contentRange,
  nextOffsetFromRange,
  uploadPathFromLocation,
  uploadResumable,
  UploadSessionExpiredError,
} from './uploads';

describe('range helpers', () => {
  it('reads the next offset from a Range header', () => {
    expect(nextOffsetFromRange('bytes=0-1048575')).toBe(1048576);
    expect(nextOffsetFromRange('0-9')).toBe(10);
    expect(nextOffsetFromRange(null)).toBe(0);
    expect(() => nextOffsetFromRange('garbage')).toThrow();
  });

  it('writes inclusive Content-Range values', () => {
    expect(contentRange(0, 10, 100)).toBe('bytes 0-9/100');
    expect(contentRange(90, 10, 100)).toBe('bytes 90-99/100');
    expect(contentRange(0, 0, 100)).toBe('bytes */100');
  });

  it('keeps path and query of the Location header', () => {
    expect(uploadPathFromLocation('/api/v1/videos/upload-resumable?upload_id=abc')).toBe('/api/v1/videos/upload-resumable?upload_id=abc');
    expect(uploadPathFromLocation('http://host:9000/api/v1/videos/upload-resumable?upload_id=x%2Fy')).toBe('/api/v1/videos/upload-resumable?upload_id=x%2Fy');
    expect(uploadPathFromLocation('?upload_id=q')).toBe('/api/v1/videos/upload-resumable?upload_id=q');
  });

  it('adapts the chunk size within bounds', () => {
    expect(adaptChunkSize(1 << 20, 100, 3000, 8 << 20)).toBe(2 << 20);
    expect(adaptChunkSize(8 << 20, 100, 3000, 8 << 20)).toBe(8 << 20);
    expect(adaptChunkSize(1 << 20, 9000, 3000, 8 << 20)).toBe(512 << 10);
    expect(adaptChunkSize(256 << 10, 9000, 3000, 8 << 20)).toBe(256 << 10);
    expect(adaptChunkSize(1 << 20, 3000, 3000, 8 << 20)).toBe(1 << 20);
  });
});

/** An in-memory server speaking the resumable protocol, with switches to misbehave. */
function fakeServer(opts: { dropEvery?: number; acceptPartial?: number; expire?: boolean; refuseInit?: boolean } = {}) {
  const sessions = new Map<string, { total: number; received: Uint8Array; length: number; metadata: unknown }>();
  const log: string[] = [];
  let puts = 0;
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const method = init.method ?? 'GET';
    if (method === 'POST') {
      if (opts.refuseInit) {
        return new Response(JSON.stringify({ status: 413, detail: 'Your video quota is exceeded', code: 'quota_reached' }), { status: 413, headers: { 'content-type': 'application/problem+json' } });
      }
      const total = Number(headers.get('x-upload-content-length'));
      const id = `u${sessions.size + 1}`;
      sessions.set(id, { total, received: new Uint8Array(total), length: 0, metadata: JSON.parse(String(init.body)) });
      log.push(`init ${total}`);
      return new Response(null, { status: 201, headers: { location: `/api/v1/videos/upload-resumable?upload_id=${id}` } });
    }
    const id = u.searchParams.get('upload_id')!;
    const s = sessions.get(id);
    if (!s || opts.expire) return new Response(JSON.stringify({ status: 404, detail: 'Upload not found' }), { status: 404 });
    const range = headers.get('content-range')!;
    const ack = () =>
      s.length >= s.total
        ? new Response(JSON.stringify({ video: { id: 1, uuid: 'uuid-1', shortUUID: 'short-1' } }), { status: 200 })
        : new Response(null, { status: 308, headers: s.length ? { range: `bytes=0-${s.length - 1}` } : {} });
    if (range.startsWith('bytes */')) {
      log.push(`query -> ${s.length}`);
      return ack();
    }
    puts++;
    const m = /bytes (\d+)-(\d+)\/(\d+)/.exec(range)!;
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (start !== s.length) {
      log.push(`conflict ${start} != ${s.length}`);
      return new Response(JSON.stringify({ status: 409, detail: 'range mismatch' }), { status: 409 });
    }
    const body = new Uint8Array(await new Response(init.body as BodyInit).arrayBuffer());
    expect(body.length).toBe(end - start + 1);
    if (opts.dropEvery && puts % opts.dropEvery === 0) {
      // The server stored part of the chunk, then the connection dropped.
      const kept = Math.floor(body.length / 2);
      s.received.set(body.subarray(0, kept), start);
      s.length += kept;
      log.push(`drop after ${kept}`);
      throw new TypeError('fetch failed');
    }
    const take = opts.acceptPartial ? Math.min(body.length, opts.acceptPartial) : body.length;
    s.received.set(body.subarray(0, take), start);
    s.length += take;
    log.push(`put ${start}-${start + take - 1}`);
    return ack();
  });
  return { fetchMock, sessions, log };
}

function blobOf(size: number): { blob: Blob; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return { blob: new Blob([bytes], { type: 'video/mp4' }), bytes };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const noSleep = () => Promise.resolve();
const meta = { name: 'My clip', channelId: 1 };

describe('uploadResumable', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('uploads in chunks and returns the created video', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob, bytes } = blobOf(700_000);
    const progress: number[] = [];
    const api = new ApiClient('http://x');
    const res = await uploadResumable(api, blob, meta, { chunkSize: 262_144, targetChunkMs: 0, filename: 'clip.mp4', sleep: noSleep, onProgress: (p) => progress.push(p.uploaded) });
    expect(res.video.uuid).toBe('uuid-1');
    const s = [...server.sessions.values()][0];
    expect(sameBytes(s.received, bytes)).toBe(true);
    expect(s.metadata).toMatchObject({ name: 'My clip', channelId: 1, filename: 'clip.mp4' });
    expect(server.log.filter((l) => l.startsWith('put'))).toHaveLength(3);
    expect(progress.at(-1)).toBe(700_000);
  });

  it('survives dropped connections by asking where to resume', async () => {
    const server = fakeServer({ dropEvery: 2 });
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob, bytes } = blobOf(1_000_000);
    const retries: number[] = [];
    const res = await uploadResumable(new ApiClient('http://x'), blob, meta, {
      chunkSize: 262_144,
      targetChunkMs: 0,
      sleep: noSleep,
      onRetry: (r) => retries.push(r.attempt),
    });
    expect(res.video.shortUUID).toBe('short-1');
    expect(sameBytes([...server.sessions.values()][0].received, bytes)).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    expect(server.log.some((l) => l.startsWith('query'))).toBe(true);
  });

  it('follows the server when it keeps less than a whole chunk', async () => {
    const server = fakeServer({ acceptPartial: 100_000 });
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob, bytes } = blobOf(450_000);
    await uploadResumable(new ApiClient('http://x'), blob, meta, { chunkSize: 262_144, targetChunkMs: 0, sleep: noSleep });
    expect(sameBytes([...server.sessions.values()][0].received, bytes)).toBe(true);
  });

  it('resumes an existing session (after a reload) without a new init', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob, bytes } = blobOf(600_000);
    const api = new ApiClient('http://x');
    const ctrl = new AbortController();
    let path = '';
    // First attempt: stop after the first chunk (the tab was closed).
    await expect(
      uploadResumable(api, blob, meta, {
        chunkSize: 200_000,
        targetChunkMs: 0,
        sleep: noSleep,
        signal: ctrl.signal,
        onSession: (p) => (path = p),
        onProgress: (p) => {
          if (p.uploaded > 0) ctrl.abort();
        },
      }),
    ).rejects.toThrow();
    expect(path).toContain('upload_id=');
    const res = await uploadResumable(api, blob, meta, { uploadPath: path, chunkSize: 200_000, targetChunkMs: 0, sleep: noSleep });
    expect(res.video.id).toBe(1);
    expect(server.log.filter((l) => l.startsWith('init'))).toHaveLength(1);
    expect(sameBytes([...server.sessions.values()][0].received, bytes)).toBe(true);
  });

  it('reports an expired session distinctly', async () => {
    const server = fakeServer({ expire: true });
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob } = blobOf(1000);
    await expect(uploadResumable(new ApiClient('http://x'), blob, meta, { uploadPath: '/api/v1/videos/upload-resumable?upload_id=zz', sleep: noSleep })).rejects.toBeInstanceOf(UploadSessionExpiredError);
  });

  it('surfaces the server message when the upload is refused', async () => {
    const server = fakeServer({ refuseInit: true });
    vi.stubGlobal('fetch', server.fetchMock);
    const { blob } = blobOf(1000);
    const err = await uploadResumable(new ApiClient('http://x'), blob, meta, { sleep: noSleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('Your video quota is exceeded');
    expect((err as ApiError).code).toBe('quota_reached');
  });

  it('gives up after the configured number of retries', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('fetch failed');
    }));
    const { blob } = blobOf(1000);
    await expect(uploadResumable(new ApiClient('http://x'), blob, meta, { retries: 2, sleep: noSleep })).rejects.toBeInstanceOf(TypeError);
  });
});
