import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import {
  acceptRunnerJobResultSchema,
  registerRunnerResultSchema,
  requestRunnerJobResultSchema,
  RUNNER_PROTOCOL,
  type AcceptRunnerJobResult,
  type RegisterRunnerBody,
  type RegisterRunnerResult,
  type RequestRunnerJobBody,
  type RequestRunnerJobResult,
  type RunnerJobCustomUpload,
} from '@flotilla/shared';
import type { z } from 'zod';
import type { FetchOutcome } from '../workspace/input-cache';
import { RunnerApiError, RunnerNetworkError } from './errors';
import { buildMultipartBody } from './multipart';
import { streamUpload } from './stream-upload';

export interface JobCredentials {
  runnerToken: string;
  jobToken: string;
}

export type AcceptedRunnerJob = AcceptRunnerJobResult['job'];

/** Small JSON calls must not hang forever when a server vanishes mid-request. */
const JSON_CALL_TIMEOUT_MS = 30_000;

/**
 * Typed client of PeerTube's runner protocol (`/api/v1/runners/...`): the only code of the runner
 * that talks HTTP to a server. Files are streamed both ways; nothing holds a whole file in memory.
 */
export class RunnerClient {
  readonly baseUrl: string;

  constructor(
    instanceUrl: string,
    private readonly userAgent = 'flotilla-runner',
  ) {
    this.baseUrl = instanceUrl.replace(/\/+$/, '') + RUNNER_PROTOCOL.BASE_PATH;
  }

  register(body: RegisterRunnerBody): Promise<RegisterRunnerResult> {
    return this.postJson('/register', body, registerRunnerResultSchema);
  }

  async unregister(runnerToken: string): Promise<void> {
    await this.postJson('/unregister', { runnerToken });
  }

  requestJobs(body: RequestRunnerJobBody, signal?: AbortSignal): Promise<RequestRunnerJobResult> {
    return this.postJson('/jobs/request', body, requestRunnerJobResultSchema, signal);
  }

  async acceptJob(jobUUID: string, runnerToken: string): Promise<AcceptedRunnerJob> {
    const result = await this.postJson(`/jobs/${enc(jobUUID)}/accept`, { runnerToken }, acceptRunnerJobResultSchema);
    return result.job;
  }

  async abortJob(jobUUID: string, creds: JobCredentials, reason: string): Promise<void> {
    await this.postJson(`/jobs/${enc(jobUUID)}/abort`, { ...creds, reason: clip(reason) });
  }

  async errorJob(jobUUID: string, creds: JobCredentials, message: string): Promise<void> {
    await this.postJson(`/jobs/${enc(jobUUID)}/error`, { ...creds, message: clip(message) });
  }

  /** Progress heartbeat. `progress` undefined still counts as a heartbeat for the stall watchdog. */
  async updateJob(jobUUID: string, creds: JobCredentials, progress?: number, signal?: AbortSignal): Promise<void> {
    const body = progress === undefined ? creds : { ...creds, progress: Math.max(0, Math.min(100, Math.floor(progress))) };
    await this.postJson(`/jobs/${enc(jobUUID)}/update`, body, undefined, signal);
  }

  /**
   * A live job's update (PeerTube's shape): text fields `payload[type]`, `payload[videoChunkFilename]`,
   * `payload[resolutionPlaylistFilename]` and files `payload[masterPlaylistFile]`,
   * `payload[resolutionPlaylistFile]`, `payload[videoChunkFile]`, in that order.
   */
  async liveUpdateJob(jobUUID: string, creds: JobCredentials, payload: Record<string, string>, files: Record<string, string>, signal?: AbortSignal): Promise<void> {
    const fields: Record<string, string> = { jobToken: creds.jobToken, runnerToken: creds.runnerToken };
    for (const [k, v] of Object.entries(payload)) fields[`payload[${k}]`] = v;
    const fileFields = Object.fromEntries(Object.entries(files).map(([name, path]) => [`payload[${name}]`, path]));
    await this.sendMultipart(`${this.baseUrl}/jobs/${enc(jobUUID)}/update`, 'POST', fields, fileFields, signal);
  }

  /**
   * Posts the result: multipart with `runnerToken`, `jobToken` and each output file as
   * `payload[<name>]`, streamed from disk.
   */
  async successJob(
    jobUUID: string,
    creds: JobCredentials,
    files: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    const fields: Record<string, string> = { runnerToken: creds.runnerToken, jobToken: creds.jobToken };
    const fileFields = Object.fromEntries(Object.entries(files).map(([name, path]) => [`payload[${name}]`, path]));
    await this.sendMultipart(`${this.baseUrl}/jobs/${enc(jobUUID)}/success`, 'POST', fields, fileFields, signal);
  }

  /**
   * Streams a job input (an absolute URL from the payload) to `destination`. With `ifNoneMatch`
   * (the ETag of a copy the runner holds) a 304, or a 200 carrying that same ETag, writes nothing.
   */
  async downloadFile(url: string, creds: JobCredentials, destination: string, signal?: AbortSignal, ifNoneMatch?: string | null): Promise<FetchOutcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (ifNoneMatch) {
      headers['if-none-match'] = ifNoneMatch;
      // Without it fetch adds "Cache-Control: no-cache" to conditional requests, and servers then never answer 304.
      headers['cache-control'] = 'max-age=0';
    }
    const res = await this.send(url, { method: 'POST', headers, body: JSON.stringify(creds), signal });
    const etag = res.headers.get('etag');
    if (res.status === 304 || (ifNoneMatch && etag === ifNoneMatch)) {
      await res.body?.cancel().catch(() => undefined);
      return { notModified: true, etag: etag ?? ifNoneMatch ?? null };
    }
    if (!res.body) throw new RunnerApiError(res.status, null, `Empty body downloading ${url}`);
    try {
      await pipeline(Readable.fromWeb(res.body as unknown as NodeWebReadableStream), createWriteStream(destination), { signal });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      // The connection dropped mid-body (a server restart: undici says "terminated"): a network
      // failure, retried like one, not a reason to give the job up. A local write error stays itself.
      if ((err as NodeJS.ErrnoException).path) throw err;
      throw new RunnerNetworkError(`${new URL(url).origin}: download cut off: ${(err as Error).message}`, { cause: err });
    }
    return { notModified: false, etag };
  }

  /** Sends one output to a URL the server chose (`*CustomUpload`), as multipart field `file`. */
  async customUpload(upload: RunnerJobCustomUpload, path: string, signal?: AbortSignal): Promise<void> {
    await this.sendMultipart(upload.url, upload.method ?? 'PUT', {}, { file: path }, signal);
  }

  private async sendMultipart(url: string, method: string, fields: Record<string, string>, files: Record<string, string>, signal?: AbortSignal) {
    const body = await buildMultipartBody(fields, files);
    let result: { status: number; text: string };
    try {
      result = await streamUpload(url, method, body, { 'user-agent': this.userAgent }, signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const code = (err as NodeJS.ErrnoException).code;
      throw new RunnerNetworkError(`${new URL(url).origin} unreachable: ${code ?? (err as Error).message}`, { cause: err });
    }
    if (result.status >= 400) throw apiErrorFrom(result.status, result.text, '');
  }

  private async postJson<S extends z.ZodType>(path: string, body: unknown, schema?: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const timeout = AbortSignal.timeout(JSON_CALL_TIMEOUT_MS);
    const res = await this.send(this.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!schema) {
      await res.body?.cancel();
      return undefined as z.infer<S>;
    }
    const json: unknown = await res.json().catch(() => {
      throw new RunnerApiError(res.status, null, `Invalid JSON from ${path}`);
    });
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new RunnerApiError(res.status, null, `Unexpected answer from ${path}: ${parsed.error.message}`);
    return parsed.data;
  }

  /** fetch + error mapping: network failures → RunnerNetworkError, status ≥ 400 → RunnerApiError. */
  private async send(url: string, init: RequestInit & { signal?: AbortSignal; duplex?: 'half' }): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { 'user-agent': this.userAgent, ...(init.headers as Record<string, string>) } });
    } catch (err) {
      if (init.signal?.aborted && !(init.signal.reason instanceof DOMException && init.signal.reason.name === 'TimeoutError')) {
        throw init.signal.reason;
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RunnerNetworkError(`${new URL(url).origin} unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
    }
    if (res.status >= 400) throw await toApiError(res);
    return res;
  }
}

async function toApiError(res: Response): Promise<RunnerApiError> {
  return apiErrorFrom(res.status, await res.text().catch(() => ''), res.statusText);
}

/** Reads a problem document's `code` and message; anything else is kept as raw text. */
function apiErrorFrom(status: number, text: string, statusText: string): RunnerApiError {
  let code: string | null = null;
  let detail = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { code?: unknown; detail?: unknown; error?: unknown; title?: unknown };
    if (typeof body.code === 'string') code = body.code;
    const msg = body.detail ?? body.error ?? body.title;
    if (typeof msg === 'string') detail = msg;
  } catch {
    // Not a problem document (a proxy's HTML page, for instance): keep the raw text.
  }
  return new RunnerApiError(status, code, `HTTP ${status}${code ? ` (${code})` : ''}: ${detail || statusText}`);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** The protocol caps reasons and messages at 5000 characters. */
function clip(text: string): string {
  const t = text.trim() || 'Unknown error';
  return t.length > 5000 ? t.slice(0, 4997) + '...' : t;
}
