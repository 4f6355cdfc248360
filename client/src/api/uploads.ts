/**
 * Resumable upload engine (PeerTube's "Google-style" protocol of node-uploadx):
 *   POST init → 201 + Location …?upload_id=…   (200 = this upload already exists)
 *   PUT chunk with Content-Range → 308 + Range until the last chunk → 200 { video }
 *   PUT with `Content-Range: bytes *\/<total>` and no body → where to resume.
 * DOM-free (fetch + Blob only) so that Node tests drive the server through the same code.
 */
import { ApiError, type ApiClient } from './http';
import { toVideoForm } from './videos';
import type { VideoCreateResult, VideoUploadMetadata } from './types';

export const RESUMABLE_UPLOAD_PATH = '/api/v1/videos/upload-resumable';
const MIN_CHUNK = 256 * 1024;
const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_MAX_CHUNK = 50 * 1024 * 1024;

export type UploadOffset = { done: false; offset: number } | { done: true; result: VideoCreateResult };

export interface UploadProgress {
  uploaded: number;
  total: number;
}

/** The session is gone on the server (404: unknown or expired): the upload must start over. */
export class UploadSessionExpiredError extends Error {
  constructor(readonly cause: ApiError) {
    super('The upload session expired on the server');
  }
}

/** "bytes=0-1048575" → 1048576, the next byte the server expects. No header → nothing stored yet. */
export function nextOffsetFromRange(range: string | null): number {
  if (!range) return 0;
  const m = /(?:bytes=)?\s*(\d+)\s*-\s*(\d+)/.exec(range);
  if (!m) throw new Error(`Unreadable Range header: ${range}`);
  return Number(m[2]) + 1;
}

/** Content-Range of `size` bytes from `start` (the end is inclusive, as HTTP wants). */
export function contentRange(start: number, size: number, total: number): string {
  if (size <= 0) return `bytes */${total}`;
  return `bytes ${start}-${start + size - 1}/${total}`;
}

/** Location may be absolute, server-relative or only the query part; keep path + query. */
export function uploadPathFromLocation(location: string): string {
  if (location.startsWith('?')) return `${RESUMABLE_UPLOAD_PATH}${location}`;
  const url = new URL(location, 'http://flotilla.invalid');
  return `${url.pathname}${url.search}`;
}

export interface InitOptions {
  filename: string;
  size: number;
  mimeType?: string;
  lastModified?: number;
  thumbnail?: Blob;
  signal?: AbortSignal;
}

/** POST init; returns the upload path (…/upload-resumable?upload_id=…) to PUT chunks to. */
export async function initResumableUpload(api: ApiClient, metadata: VideoUploadMetadata, opts: InitOptions): Promise<string> {
  const headers = {
    'X-Upload-Content-Length': String(opts.size),
    'X-Upload-Content-Type': opts.mimeType || 'application/octet-stream',
  };
  const fields = { ...metadata, filename: opts.filename, originalName: opts.filename, lastModified: opts.lastModified };
  // With a thumbnail the init body must be multipart; otherwise JSON, like PeerTube's web client.
  const res = opts.thumbnail
    ? await api.raw('POST', RESUMABLE_UPLOAD_PATH, { body: toVideoForm({ ...fields, thumbnailfile: opts.thumbnail }), headers, signal: opts.signal })
    : await api.raw('POST', RESUMABLE_UPLOAD_PATH, { json: fields, headers, signal: opts.signal });
  const location = res.headers.get('location');
  if (!location) throw new Error(`Upload init answered ${res.status} without a Location header`);
  return uploadPathFromLocation(location);
}

function parseOffsetAnswer(status: number, headers: Headers, text: string): UploadOffset {
  if (status === 308) return { done: false, offset: nextOffsetFromRange(headers.get('range')) };
  return { done: true, result: JSON.parse(text) as VideoCreateResult };
}

/** Ask the server how much it holds (empty PUT with `Content-Range: bytes *\/total`). */
export async function queryUploadOffset(api: ApiClient, uploadPath: string, total: number, signal?: AbortSignal): Promise<UploadOffset> {
  const res = await api.raw('PUT', uploadPath, {
    // An explicit empty body so that Content-Length: 0 is sent.
    body: new Uint8Array(0),
    headers: { 'Content-Range': `bytes */${total}` },
    okStatuses: [308],
    redirect: 'follow',
    signal,
  });
  return parseOffsetAnswer(res.status, res.headers, res.text);
}

export async function putUploadChunk(api: ApiClient, uploadPath: string, chunk: Blob, start: number, total: number, signal?: AbortSignal): Promise<UploadOffset> {
  const res = await api.raw('PUT', uploadPath, {
    body: chunk,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': contentRange(start, chunk.size, total) },
    okStatuses: [308],
    redirect: 'follow',
    signal,
  });
  return parseOffsetAnswer(res.status, res.headers, res.text);
}

export async function cancelResumableUpload(api: ApiClient, uploadPath: string): Promise<void> {
  await api.raw('DELETE', uploadPath, { body: new Uint8Array(0) });
}

/** Errors worth retrying: the network dropped, the server timed out, is busy or still processing. */
export function isRetryableUploadError(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 408 || err.status === 429 || err.status >= 500;
  return err instanceof TypeError; // fetch's network failure ("Failed to fetch", "fetch failed")
}

/** Exponential back-off with jitter, honouring Retry-After (seconds) when the server sent one. */
export function retryDelayMs(attempt: number, err?: unknown, baseMs = 1000, maxMs = 30_000): number {
  const retryAfter = err instanceof ApiError ? Number(err.headers.get('retry-after')) : NaN;
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, maxMs);
  const exp = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('aborted'));
    }, { once: true });
  });
}

export interface ResumableUploadOptions {
  /** Resume this session instead of creating one (from onSession of an earlier attempt). */
  uploadPath?: string;
  filename?: string;
  mimeType?: string;
  thumbnail?: Blob;
  chunkSize?: number;
  /** Server's limit (config client.videos.resumableUpload.maxChunkSize). */
  maxChunkSize?: number;
  /** Grow/shrink chunks to take about this long each (ms); 0 keeps chunkSize fixed. */
  targetChunkMs?: number;
  /** Consecutive failed attempts tolerated before giving up. */
  retries?: number;
  signal?: AbortSignal;
  onSession?: (uploadPath: string) => void;
  onProgress?: (p: UploadProgress) => void;
  /** Called before each wait, for "reconnecting in Ns" messages. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Upload a Blob/File with chunked PUTs; survives dropped connections and resumes old sessions. */
export async function uploadResumable(
  api: ApiClient,
  file: Blob,
  metadata: VideoUploadMetadata,
  opts: ResumableUploadOptions = {},
): Promise<VideoCreateResult> {
  const total = file.size;
  const named = file as Blob & { name?: string; lastModified?: number };
  const sleep = opts.sleep ?? defaultSleep;
  const retries = opts.retries ?? 8;
  const maxChunk = Math.max(MIN_CHUNK, opts.maxChunkSize ?? DEFAULT_MAX_CHUNK);
  const targetMs = opts.targetChunkMs ?? 3000;
  let chunkSize = Math.min(maxChunk, opts.chunkSize ?? DEFAULT_CHUNK);
  let failures = 0;

  /** Run `fn`, retrying retryable failures with back-off; non-retryable ones propagate. */
  const attempt = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const value = await fn();
        failures = 0;
        return value;
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        if (err instanceof ApiError && err.status === 404) throw new UploadSessionExpiredError(err);
        if (!isRetryableUploadError(err) || failures >= retries) throw err;
        const delayMs = retryDelayMs(failures, err);
        failures++;
        opts.onRetry?.({ attempt: failures, delayMs, error: err });
        await sleep(delayMs, opts.signal);
      }
    }
  };

  let uploadPath = opts.uploadPath;
  let state: UploadOffset;
  if (uploadPath) {
    state = await attempt(() => queryUploadOffset(api, uploadPath!, total, opts.signal));
  } else {
    uploadPath = await attempt(() =>
      initResumableUpload(api, metadata, {
        filename: opts.filename ?? named.name ?? 'video.mp4',
        size: total,
        mimeType: opts.mimeType ?? file.type,
        lastModified: named.lastModified,
        thumbnail: opts.thumbnail,
        signal: opts.signal,
      }),
    );
    opts.onSession?.(uploadPath);
    state = { done: false, offset: 0 };
  }
  const path = uploadPath;

  while (!state.done) {
    opts.signal?.throwIfAborted();
    const offset: number = state.offset;
    opts.onProgress?.({ uploaded: offset, total });
    if (offset >= total) {
      // The server holds every byte but has not answered 200 yet (e.g. 503 while processing): ask again.
      state = await attempt(() => queryUploadOffset(api, path, total, opts.signal));
      if (!state.done && state.offset >= total) throw new Error('The server holds the whole file but did not finish the upload');
      continue;
    }
    const chunk = file.slice(offset, Math.min(total, offset + chunkSize));
    const started = Date.now();
    state = await attempt(async () => {
      try {
        return await putUploadChunk(api, path, chunk, offset, total, opts.signal);
      } catch (err) {
        // 409: our idea of the offset is wrong (a chunk got in before the connection dropped).
        if (err instanceof ApiError && err.status === 409) return queryUploadOffset(api, path, total, opts.signal);
        throw err;
      }
    });
    if (targetMs > 0 && !state.done) chunkSize = adaptChunkSize(chunkSize, Date.now() - started, targetMs, maxChunk);
    // After a retry the chunk may have been partly stored: always trust the server's Range.
  }
  opts.onProgress?.({ uploaded: total, total });
  return state.result;
}

/** Double when a chunk went much faster than the target, halve when much slower. */
export function adaptChunkSize(current: number, tookMs: number, targetMs: number, max: number): number {
  if (tookMs < targetMs / 2) return Math.min(max, current * 2);
  if (tookMs > targetMs * 2) return Math.max(MIN_CHUNK, Math.floor(current / 2));
  return current;
}
